#pragma once
// Everything a training run is configured by. Each field is declared as an option ONCE, in the table of
// train_option_table.cpp (flag, type, default, help, range); the `vora train` flags, --help, --config
// JSON files, the run config saved in checkpoints and `vora train --options-json` all come from that
// table. The defaults below are the options' defaults. Plain C++ (no torch).
#include "core/model/model_config.h"
#include "core/model/parameter_names.h"
#include "training/lr_schedule.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vora::training {

enum class TrainStage { Pretrain, Finetune };
enum class FinetuneParams { Full, Lora }; // finetune: all LLM weights, or LoRA only

struct TrainOptions {
    std::string modelDir;
    std::string tokenizerPath; // "" -> modelDir
    std::vector<std::string> dataFiles;
    std::vector<std::string> valDataFiles; // validation JSONL files (same format, same image root)
    double valShare = 0;                   // instead of valDataFiles: this share of --data's samples, held out
    std::string imageRoot;             // "" -> each data file's folder
    bool allowImagesOutsideRoot = false; // frames may lead outside imageRoot (training/image_root.h)
    TrainStage stage = TrainStage::Pretrain;
    FinetuneParams finetuneParams = FinetuneParams::Full;

    int loraRank = 1024;
    int loraLayers = 24; // clamped to the model's layer count
    std::vector<std::string> loraTargets = core::param::allLinearTargets(); // all seven, as VoRA
    double loraScale = 1.0;            // VoRA: 1.0
    std::optional<double> loraAlpha;   // when set, scale = alpha / r (PEFT)

    // Fresh vision embedding for a plain LLM base (a VoRA base brings its own).
    int imageSize = 448;
    int patchSize = 14;
    int visionWidth = 1536;
    // Attention among image tokens; unset: the VoRA base's mode, bidirectional for a fresh embedding.
    std::optional<core::VisionAttentionMask> imageAttention;

    std::string distillDir; // AIMv2-layout teacher; "" = no distillation

    int64_t maxSteps = 0; // optimizer steps; 0 = from epochs
    int64_t epochs = 1;
    int64_t batchSize = 1;
    int64_t gradAccum = 1;
    double lr = 2e-4;
    ScheduleKind schedule = ScheduleKind::ConstantWithWarmup;
    int64_t warmupSteps = 100;
    double minLrRatio = 0.0; // cosine: the floor as a fraction of lr
    double weightDecay = 0.0;
    double maxGradNorm = 1.0;
    int64_t maxTextLen = 2048;
    uint64_t seed = 42;
    std::string device = "cpu";
    std::string dtype = "auto";
    bool gradientCheckpointing = false;
    int64_t valEvery = 0;       // 0 = validate only at the end (when there is validation data)
    int64_t saveEvery = 0;      // 0 = only at the end
    int64_t keepCheckpoints = 0; // newest N step checkpoints kept; 0 = all
    std::string initFrom; // warm start: trainable tensors of a run, checkpoint or part ("" = fresh), warm_start.h
    bool resume = false;
    bool overwrite = false; // replace a run already in outDir (renamed aside), training/run_folder.h
    std::string outDir;
    bool skipBadSamples = false;
    bool quiet = false; // no progress lines on stdout (progress.jsonl is still written)

    double effectiveLoraScale() const { return loraAlpha ? *loraAlpha / loraRank : loraScale; }
    bool trainsLora() const { return stage == TrainStage::Pretrain || finetuneParams == FinetuneParams::Lora; }
    bool operator==(const TrainOptions&) const = default;
};

// Applies a --config JSON object (keys as the flags: "lora-rank" or "lora_rank"; lists as arrays, a
// choice list may also be one comma-separated string). Throws core::Error(InvalidConfig) naming the
// file and key on unknown keys, wrong types and values out of range.
void applyTrainConfigJson(TrainOptions& options, const std::string& jsonText, const std::string& pathForErrors);
// Applies command-line values (flag without "--" -> every value given, in order; a switch has one
// empty value). Throws core::Error(InvalidArgument) naming the --flag.
void applyTrainArguments(TrainOptions& options, const std::vector<std::pair<std::string, std::vector<std::string>>>& values);
// Checks what a single option cannot (required options, combinations); throws core::Error(InvalidArgument).
void validateTrainOptions(const TrainOptions& options);
// The run config as saved in checkpoints (every saved option under its flag name); applyTrainConfigJson
// reads it back to equal options (except the how-to-run switches --resume and --quiet).
std::string toJson(const TrainOptions& options);

// The attention among image tokens a run uses: the option when set, else the VoRA base's config, else
// bidirectional (the released models' mode) for a fresh vision embedding.
core::VisionAttentionMask resolveImageAttention(const TrainOptions& options, const core::ModelConfig& base);

} // namespace vora::training
