#pragma once
// The option specs shared by `vora train` and `vora estimate`, and their reading into TrainOptions
// (a --config JSON first, then the flags given on the command line override it).
#include "cli/command_line.h"
#include "training/train_options.h"

#include <vector>

namespace vora::cli {

std::vector<OptionSpec> trainOptionSpecs();
training::TrainOptions readTrainOptions(const CommandLine& line);

} // namespace vora::cli
