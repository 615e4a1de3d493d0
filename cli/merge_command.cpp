#include "cli/command_line.h"
#include "cli/commands.h"
#include "training/lora_merge.h"

#include <cstdio>
#include <iostream>

namespace vora::cli {

int runMerge(const Arguments& args)
{
    const std::vector<OptionSpec> specs = {
        {"model", true, "the base model folder the run trained on", "DIR"},
        {"checkpoint", true, "run folder (its latest checkpoint) or checkpoint folder", "DIR"},
        {"out", true, "folder for the merged model", "DIR"},
        {"dtype", true, "bfloat16 | float32 | float16 (default: the base's torch_dtype)", "TYPE"},
        {"no-probe", false, "skip the merged-vs-unmerged logit check"},
    };
    const CommandLine line("vora merge --model DIR --checkpoint RUN_OR_CKPT_DIR --out DIR [--dtype bfloat16|float32]", specs, args);
    training::MergeOptions options;
    options.modelDir = line.required("model");
    options.checkpoint = line.required("checkpoint");
    options.outDir = line.required("out");
    options.dtype = line.valueOr("dtype", "auto");
    options.probe = !line.has("no-probe");
    const training::MergeReport report = training::mergeCheckpoint(options);
    std::cout << "merged " << report.mergedLinears << " LoRA linear(s) from " << report.checkpointDir << " into "
              << options.outDir << " (" << report.tensors << " tensors, " << report.shards << " shard(s))\n";
    if (report.maxLogitDiff >= 0) {
        char text[128];
        std::snprintf(text, sizeof text, "max logit difference merged vs unmerged: %.3g (max |logit| %.3g)\n",
                      report.maxLogitDiff, report.maxLogit);
        std::cout << text;
    }
    return 0;
}

} // namespace vora::cli
