#include "cli/commands.h"
#include "cli/stop_signal.h"
#include "cli/train_options_cli.h"
#include "cli/train_progress_display.h"
#include "training/train_option_table.h"
#include "training/trainer.h"

#include <csignal>
#include <iostream>
#include <optional>
#include <unistd.h>

namespace vora::cli {
namespace {

std::string signalName(int signal)
{
    return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal " + std::to_string(signal);
}

} // namespace

int runTrain(const Arguments& args)
{
    std::vector<OptionSpec> specs = trainOptionSpecs();
    specs.push_back({"json", false, "progress as JSON lines on stdout even at a terminal", "", "output"});
    specs.push_back({"options-json", false, "print every option (flag, type, default, help, range, group) as JSON and exit",
                     "", "output"});
    const CommandLine line("vora train --model DIR --data FILE.jsonl --out DIR [options]", specs, args);
    if (line.has("options-json")) {
        std::cout << training::trainOptionsSchema().dump(1) << "\n";
        return 0;
    }
    const training::TrainOptions options = readTrainOptions(line);
    // JSON lines for scripts and the app (also whenever stdout is a pipe or file); words for a person.
    std::optional<TrainProgressDisplay> display;
    if (!line.has("json") && ::isatty(STDOUT_FILENO)) {
        display.emplace(std::cout);
    }
    // First SIGINT/SIGTERM: finish the step, save, exit 128 + signal. A second one exits at once.
    const std::atomic<bool>* stopRequested = installStopSignalHandlers();
    const training::TrainResult result = training::runTraining(options, stopRequested, [&](const std::string& text) {
        if (options.quiet) {
            return;
        }
        if (display) {
            display->show(text);
        } else {
            std::cout << text << std::endl;
        }
    });
    if (display) {
        display->endStatusLine();
    }
    if (result.stopped) {
        const int signal = stopSignalNumber();
        std::cerr << "stopped by " << signalName(signal) << " at step " << result.finalStep << " of " << result.totalSteps
                  << "; checkpoint saved to " << result.lastCheckpoint << " (continue with --resume)\n";
        return signal > 0 ? 128 + signal : 130;
    }
    std::cerr << "finished all " << result.totalSteps << " steps; checkpoint " << result.lastCheckpoint << "\n";
    return 0;
}

} // namespace vora::cli
