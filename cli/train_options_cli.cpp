#include "cli/train_options_cli.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vora::cli {

std::vector<OptionSpec> trainOptionSpecs()
{
    return {
        {"config", true, "JSON file with the same keys as these flags (flags override it)", "FILE"},
        {"model", true, "base model folder (plain Qwen2/LLaMA or VoRA)", "DIR"},
        {"tokenizer", true, "tokenizer file or folder (default: the model folder)", "PATH"},
        {"data", true, "VoRA JSON-lines file (repeatable)", "FILE"},
        {"image-root", true, "folder that relative frame paths are resolved against", "DIR"},
        {"stage", true, "pretrain | finetune", "STAGE"},
        {"finetune-params", true, "finetune: full | lora", "WHICH"},
        {"lora-rank", true, "LoRA rank (default 1024)", "R"},
        {"lora-layers", true, "LoRA in the first N blocks (default 24)", "N"},
        {"lora-targets", true, "comma list of q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", "LIST"},
        {"lora-scale", true, "LoRA scale (VoRA: 1.0)", "S"},
        {"lora-alpha", true, "PEFT-style alpha: scale = alpha / r", "A"},
        {"image-size", true, "fresh vision embedding: image side (default 448)", "PX"},
        {"patch-size", true, "fresh vision embedding: patch side (default 14)", "PX"},
        {"vision-width", true, "fresh vision embedding: width (default 1536)", "C"},
        {"distill", true, "AIMv2-layout teacher folder for block-wise distillation", "DIR"},
        {"max-steps", true, "optimizer steps (default: from --epochs)", "N"},
        {"epochs", true, "epochs (default 1)", "N"},
        {"batch-size", true, "samples per micro-batch", "B"},
        {"grad-accum", true, "micro-batches per optimizer step", "K"},
        {"lr", true, "peak learning rate (default 2e-4)", "X"},
        {"schedule", true, "constant_with_warmup | cosine", "NAME"},
        {"warmup-steps", true, "linear warm-up steps (default 100)", "W"},
        {"weight-decay", true, "AdamW weight decay (default 0)", "X"},
        {"max-text-len", true, "text tokens per sample (default 2048)", "T"},
        {"seed", true, "seed of init and data order (default 42)", "S"},
        {"device", true, "cpu | cuda | cuda:N", "DEV"},
        {"dtype", true, "auto | float32 | bfloat16 | float16 (frozen weights and compute)", "TYPE"},
        {"gradient-checkpointing", false, "recompute each block in backward"},
        {"save-every", true, "checkpoint every N steps (and at the end)", "N"},
        {"resume", false, "continue from OUT/latest"},
        {"skip-bad-samples", false, "drop bad lines instead of refusing to train"},
        {"quiet", false, "no progress lines on stdout"},
        {"out", true, "run folder (checkpoints, progress.jsonl)", "DIR"},
    };
}

training::TrainOptions readTrainOptions(const CommandLine& line)
{
    training::TrainOptions options;
    if (const auto config = line.value("config")) {
        std::ifstream in(*config);
        if (!in.good()) {
            throw UsageError("--config: cannot read " + *config);
        }
        std::stringstream text;
        text << in.rdbuf();
        training::applyTrainConfigJson(options, text.str(), *config);
    }
    nlohmann::json overrides = nlohmann::json::object();
    for (const OptionSpec& spec : trainOptionSpecs()) {
        if (spec.name == "config" || !line.has(spec.name)) {
            continue;
        }
        if (!spec.takesValue) {
            overrides[spec.name] = true;
        } else if (spec.name == "data") {
            overrides[spec.name] = line.values(spec.name);
        } else if (spec.name == "lora-targets" || spec.name == "model" || spec.name == "tokenizer" || spec.name == "image-root"
                   || spec.name == "stage" || spec.name == "finetune-params" || spec.name == "distill"
                   || spec.name == "schedule" || spec.name == "device" || spec.name == "dtype" || spec.name == "out") {
            overrides[spec.name] = line.required(spec.name);
        } else if (const auto number = line.number(spec.name)) {
            const bool integral = spec.name != "lr" && spec.name != "lora-scale" && spec.name != "lora-alpha"
                                  && spec.name != "weight-decay";
            overrides[spec.name] = integral ? nlohmann::json(static_cast<long long>(*number)) : nlohmann::json(*number);
        }
    }
    if (line.has("quiet")) {
        overrides.erase("quiet");
        options.quiet = true;
    }
    training::applyTrainConfigJson(options, overrides.dump(), "command line");
    return options;
}

} // namespace vora::cli
