#include "app/cli/commands.h"
#include "app/cli/train_options_cli.h"
#include "training/trainer.h"

#include <atomic>
#include <csignal>
#include <iostream>

namespace vora::cli {
namespace {

std::atomic<bool> g_stopRequested{false};

extern "C" void requestStop(int)
{
    g_stopRequested.store(true);
}

} // namespace

int runTrain(const Arguments& args)
{
    const CommandLine line("vora train --model DIR --data FILE.jsonl --out DIR [options]", trainOptionSpecs(), args);
    const training::TrainOptions options = readTrainOptions(line);
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    const training::TrainResult result = training::runTraining(options, &g_stopRequested, [&](const std::string& text) {
        if (!options.quiet) {
            std::cout << text << std::endl;
        }
    });
    std::cerr << (result.stopped ? "stopped" : "finished") << " at step " << result.finalStep << " of "
              << result.totalSteps << "; checkpoint " << result.lastCheckpoint << "\n";
    return 0;
}

} // namespace vora::cli
