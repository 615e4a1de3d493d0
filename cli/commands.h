#pragma once
// The `vora` subcommands. Each takes the arguments after its name and returns the exit code;
// core::Error and UsageError are caught once, in main().
#include <string>
#include <vector>

namespace vora::cli {

using Arguments = std::vector<std::string>;

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const Arguments& args);
};

const std::vector<Command>& commands();

int runInfo(const Arguments& args);
int runRun(const Arguments& args);
int runChat(const Arguments& args);
int runBench(const Arguments& args);
int runTokenize(const Arguments& args);
int runPreprocess(const Arguments& args);
int runTrain(const Arguments& args);
int runMerge(const Arguments& args);
int runEstimate(const Arguments& args);
int runData(const Arguments& args);
int runEval(const Arguments& args);
int runImportGguf(const Arguments& args);
int runAttention(const Arguments& args);

} // namespace vora::cli
