#include "cli/commands.h"
#include "cli/stop_signal.h"
#include "cli/train_options_cli.h"
#include "training/trainer.h"

#include <iostream>

namespace vora::cli {

int runTrain(const Arguments& args)
{
    const CommandLine line("vora train --model DIR --data FILE.jsonl --out DIR [options]", trainOptionSpecs(), args);
    const training::TrainOptions options = readTrainOptions(line);
    // First SIGINT/SIGTERM: finish the step, save, exit 0. A second one exits at once.
    const std::atomic<bool>* stopRequested = installStopSignalHandlers();
    const training::TrainResult result = training::runTraining(options, stopRequested, [&](const std::string& text) {
        if (!options.quiet) {
            std::cout << text << std::endl;
        }
    });
    std::cerr << (result.stopped ? "stopped" : "finished") << " at step " << result.finalStep << " of "
              << result.totalSteps << "; checkpoint " << result.lastCheckpoint << "\n";
    return 0;
}

} // namespace vora::cli
