#pragma once
// `vora train` and `vora estimate` read their options here: the flags and --help come from the one
// option table (training/train_option_table.h); a --config JSON is applied first, then the flags given
// on the command line override it.
#include "cli/command_line.h"
#include "training/train_options.h"

#include <vector>

namespace vora::cli {

// --config plus one flag per row of the option table, with defaults, choices and ranges in the help.
std::vector<OptionSpec> trainOptionSpecs();
// Throws UsageError naming the flag for a value of the wrong kind or out of range, core::Error naming
// the file and key for a bad --config.
training::TrainOptions readTrainOptions(const CommandLine& line);

} // namespace vora::cli
