#include "training/train_option_table.h"

#include "core/error.h"
#include "training/train_option_kinds.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace vora::training {
namespace {

using nlohmann::json;
using core::VisionAttentionMask;
using namespace option_rows;

constexpr double kManySteps = 1e12;

} // namespace

// THE declaration of every training option, in --help order. To add an option: a member in
// TrainOptions (train_options.h) and one row here; nothing else.
const std::vector<TrainOptionDecl>& trainOptionTable()
{
    static const std::vector<TrainOptionDecl> table = {
        path(&TrainOptions::modelDir, {.flag = "model", .group = "model", .valueName = "DIR",
                                       .help = "base model folder (plain Qwen2/LLaMA or VoRA)", .required = true}),
        path(&TrainOptions::tokenizerPath, {.flag = "tokenizer", .group = "model", .valueName = "PATH",
                                            .help = "tokenizer file or folder (default: the model folder)"}),

        pathList(&TrainOptions::dataFiles, {.flag = "data", .group = "data", .valueName = "FILE",
                                            .help = "VoRA JSON-lines file (repeatable)", .required = true}),
        path(&TrainOptions::imageRoot, {.flag = "image-root", .group = "data", .valueName = "DIR",
                                        .help = "folder that frame paths are resolved against and confined to "
                                                "(default: the data file's folder)"}),
        onOff(&TrainOptions::allowImagesOutsideRoot, {.flag = "allow-images-outside-root", .group = "data",
                                                      .help = "let frames lead outside the image root (.., absolute "
                                                              "paths, symlinks)"}),
        integer(&TrainOptions::maxTextLen, {.flag = "max-text-len", .group = "data", .valueName = "T",
                                            .help = "text tokens per sample", .min = 9, .max = 1 << 20}),
        onOff(&TrainOptions::skipBadSamples, {.flag = "skip-bad-samples", .group = "data",
                                              .help = "drop bad lines instead of refusing to train"}),

        pathList(&TrainOptions::valDataFiles, {.flag = "val-data", .group = "validation", .valueName = "FILE",
                                               .help = "validation JSON-lines file, same format and image root (repeatable)"}),
        number(&TrainOptions::valShare, {.flag = "val-share", .group = "validation", .valueName = "F",
                                         .help = "instead of --val-data: hold out this share of --data's samples as "
                                                 "validation (chosen by --seed; the rest trains)",
                                         .min = 0, .max = 0.5}),
        integer(&TrainOptions::valEvery, {.flag = "val-every", .group = "validation", .valueName = "N",
                                          .help = "validation loss every N steps and at the end (0: only at the end)",
                                          .min = 0, .max = kManySteps}),

        choice<TrainStage>(&TrainOptions::stage, {{"pretrain", TrainStage::Pretrain}, {"finetune", TrainStage::Finetune}},
                           {.flag = "stage", .group = "method", .valueName = "STAGE",
                            .help = "pretrain (LoRA + vision embedding) or finetune"}),
        choice<FinetuneParams>(&TrainOptions::finetuneParams, {{"full", FinetuneParams::Full}, {"lora", FinetuneParams::Lora}},
                               {.flag = "finetune-params", .group = "method", .valueName = "WHICH",
                                .help = "finetune: all LLM weights (full) or LoRA only (lora)"}),
        path(&TrainOptions::distillDir, {.flag = "distill", .group = "method", .valueName = "DIR",
                                         .help = "AIMv2-layout teacher folder for block-wise distillation"}),

        integer(&TrainOptions::loraRank, {.flag = "lora-rank", .group = "lora", .valueName = "R", .help = "LoRA rank",
                                          .min = 1, .max = 65536}),
        integer(&TrainOptions::loraLayers, {.flag = "lora-layers", .group = "lora", .valueName = "N",
                                            .help = "LoRA in the first N blocks (at most the model's)", .min = 0, .max = 65536}),
        choiceList(&TrainOptions::loraTargets, core::param::allLinearTargets(),
                   {.flag = "lora-targets", .group = "lora", .valueName = "LIST", .help = "linears that get LoRA, comma-separated"}),
        number(&TrainOptions::loraScale, {.flag = "lora-scale", .group = "lora", .valueName = "S",
                                          .help = "LoRA scale (VoRA: 1.0)", .min = 0, .max = 1e6, .minExclusive = true}),
        optionalNumber(&TrainOptions::loraAlpha, {.flag = "lora-alpha", .group = "lora", .valueName = "A",
                                                  .help = "PEFT-style alpha: scale = alpha / rank (replaces --lora-scale)",
                                                  .min = 0, .max = 1e9, .minExclusive = true}),

        integer(&TrainOptions::imageSize, {.flag = "image-size", .group = "vision", .valueName = "PX",
                                           .help = "fresh vision embedding: image side", .min = 1, .max = 16384}),
        integer(&TrainOptions::patchSize, {.flag = "patch-size", .group = "vision", .valueName = "PX",
                                           .help = "fresh vision embedding: patch side", .min = 1, .max = 1024}),
        integer(&TrainOptions::visionWidth, {.flag = "vision-width", .group = "vision", .valueName = "C",
                                             .help = "fresh vision embedding: width", .min = 1, .max = 65536}),
        choice<std::optional<VisionAttentionMask>>(
            &TrainOptions::imageAttention,
            {{"auto", std::nullopt}, {"bidirectional", VisionAttentionMask::Bidirectional}, {"causal", VisionAttentionMask::Causal}},
            {.flag = "image-attention", .group = "vision", .valueName = "MODE",
             .help = "attention among image tokens: bidirectional or causal (auto: the VoRA base's; bidirectional for a fresh "
                     "vision embedding)"}),

        integer(&TrainOptions::maxSteps, {.flag = "max-steps", .group = "steps", .valueName = "N",
                                          .help = "optimizer steps (0: from --epochs)", .min = 0, .max = kManySteps}),
        integer(&TrainOptions::epochs, {.flag = "epochs", .group = "steps", .valueName = "N",
                                        .help = "passes over the data when --max-steps is 0", .min = 1, .max = 1e6}),
        integer(&TrainOptions::batchSize, {.flag = "batch-size", .group = "steps", .valueName = "B",
                                           .help = "samples per micro-batch", .min = 1, .max = 65536}),
        integer(&TrainOptions::gradAccum, {.flag = "grad-accum", .group = "steps", .valueName = "K",
                                           .help = "micro-batches per optimizer step", .min = 1, .max = 65536}),
        integer(&TrainOptions::seed, {.flag = "seed", .group = "steps", .valueName = "S", .help = "seed of init and data order"}),

        number(&TrainOptions::lr, {.flag = "lr", .group = "optimizer", .valueName = "X", .help = "peak learning rate",
                                   .min = 0, .max = 1e3, .minExclusive = true}),
        choice<ScheduleKind>(&TrainOptions::schedule,
                             {{"constant_with_warmup", ScheduleKind::ConstantWithWarmup}, {"cosine", ScheduleKind::Cosine}},
                             {.flag = "schedule", .group = "optimizer", .valueName = "NAME",
                              .help = "learning rate after the warm-up: constant_with_warmup or cosine (to 0)"}),
        number(&TrainOptions::minLrRatio, {.flag = "min-lr-ratio", .group = "optimizer", .valueName = "F",
                                           .help = "cosine: decay to this fraction of --lr", .min = 0, .max = 1}),
        integer(&TrainOptions::warmupSteps, {.flag = "warmup-steps", .group = "optimizer", .valueName = "W",
                                             .help = "linear warm-up steps", .min = 0, .max = kManySteps}),
        number(&TrainOptions::weightDecay, {.flag = "weight-decay", .group = "optimizer", .valueName = "X",
                                            .help = "AdamW weight decay", .min = 0, .max = 1e3}),
        number(&TrainOptions::maxGradNorm, {.flag = "max-grad-norm", .group = "optimizer", .valueName = "X",
                                            .help = "clip the gradient norm to this", .min = 0, .max = 1e12, .minExclusive = true}),

        freeText(&TrainOptions::device, {.flag = "device", .group = "hardware", .valueName = "DEV", .help = "cpu, cuda or cuda:N"}),
        choice(&TrainOptions::dtype, {"auto", "float32", "bfloat16", "float16"},
               {.flag = "dtype", .group = "hardware", .valueName = "TYPE",
                .help = "frozen weights and compute (auto: float32 on CPU, bfloat16 on CUDA)"}),
        onOff(&TrainOptions::gradientCheckpointing, {.flag = "gradient-checkpointing", .group = "hardware",
                                                     .help = "recompute each block in backward (less memory, slower)"}),

        integer(&TrainOptions::saveEvery, {.flag = "save-every", .group = "checkpoints", .valueName = "N",
                                           .help = "checkpoint every N steps and at the end (0: only at the end)",
                                           .min = 0, .max = kManySteps}),
        integer(&TrainOptions::keepCheckpoints, {.flag = "keep-checkpoints", .group = "checkpoints", .valueName = "N",
                                                 .help = "keep only the newest N step checkpoints (0: all)", .min = 0, .max = kManySteps}),
        path(&TrainOptions::initFrom, {.flag = "init-from", .group = "checkpoints", .valueName = "DIR",
                                       .help = "start from the trainable tensors of a run, checkpoint or shipped part (fresh optimizer and "
                                               "schedule; tensors it lacks start fresh)"}),
        onOff(&TrainOptions::resume, {.flag = "resume", .group = "checkpoints", .help = "continue from OUT/latest", .saved = false}),
        onOff(&TrainOptions::overwrite, {.flag = "overwrite", .group = "checkpoints",
                                         .help = "replace a run already in OUT (it is renamed to OUT.replaced-TIME)", .saved = false}),

        path(&TrainOptions::outDir, {.flag = "out", .group = "output", .valueName = "DIR",
                                     .help = "run folder (checkpoints, progress.jsonl)", .required = true}),
        onOff(&TrainOptions::quiet, {.flag = "quiet", .group = "output",
                                     .help = "no progress on stdout (progress.jsonl is still written)", .saved = false}),
    };
    return table;
}

std::string_view optionKindName(OptionKind kind)
{
    switch (kind) {
    case OptionKind::Path: return "path";
    case OptionKind::Text: return "text";
    case OptionKind::Choice: return "choice";
    case OptionKind::Integer: return "integer";
    case OptionKind::Number: return "number";
    case OptionKind::Switch: return "switch";
    case OptionKind::PathList: return "path_list";
    case OptionKind::ChoiceList: return "choice_list";
    }
    return "text";
}

const TrainOptionDecl* findTrainOption(std::string_view flagOrKey)
{
    std::string flag(flagOrKey);
    std::replace(flag.begin(), flag.end(), '_', '-');
    const auto& table = trainOptionTable();
    const auto it = std::find_if(table.begin(), table.end(), [&](const TrainOptionDecl& row) { return row.flag == flag; });
    return it == table.end() ? nullptr : &*it;
}

json optionValueFromText(const TrainOptionDecl& option, const std::vector<std::string>& texts)
{
    const std::string where = "--" + option.flag;
    if (texts.empty()) {
        fail(where, "needs a value");
    }
    const std::string& text = texts.back(); // a single-valued flag given twice: the last one counts
    switch (option.kind) {
    case OptionKind::Switch:
        return true;
    case OptionKind::PathList:
    case OptionKind::ChoiceList:
        return texts;
    case OptionKind::Integer: {
        const char* end = text.data() + text.size();
        if (!text.empty() && text[0] == '-') {
            int64_t value = 0;
            const auto [at, ec] = std::from_chars(text.data(), end, value);
            if (ec == std::errc() && at == end) {
                return value;
            }
        } else {
            uint64_t value = 0;
            const auto [at, ec] = std::from_chars(text.data(), end, value);
            if (ec == std::errc() && at == end) {
                return value;
            }
            if (ec == std::errc::result_out_of_range) {
                fail(where, "must be a whole number that fits 64 bits, got " + text);
            }
        }
        fail(where, "expects a whole number, got '" + text + "'");
    }
    case OptionKind::Number: {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size()) {
            fail(where, "expects a number, got '" + text + "'");
        }
        return value;
    }
    default:
        return text;
    }
}

json trainOptionsSchema()
{
    json all = json::array();
    for (const TrainOptionDecl& row : trainOptionTable()) {
        json entry = {{"flag", row.flag},
                      {"type", optionKindName(row.kind)},
                      {"group", row.group},
                      {"value_name", row.valueName},
                      {"help", row.help},
                      {"default", row.defaultValue()},
                      {"required", row.required},
                      {"repeatable", row.repeatable()},
                      {"saved", row.saved}};
        if (!row.choices.empty()) {
            entry["choices"] = row.choices;
        }
        auto bound = [&](double value) { return row.kind == OptionKind::Integer ? json(static_cast<int64_t>(value)) : json(value); };
        if (row.min) {
            entry["min"] = bound(*row.min);
            entry["min_exclusive"] = row.minExclusive;
        }
        if (row.max) {
            entry["max"] = bound(*row.max);
        }
        all.push_back(entry);
    }
    return {{"options", all}};
}

} // namespace vora::training
