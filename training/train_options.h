#pragma once
// Everything a training run is configured by; the `vora train` flags and the --config JSON keys map
// one to one onto these fields (the JSON uses the flag names with '-' or '_'). Plain C++ (no torch).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vora::training {

enum class TrainStage { Pretrain, Finetune };

struct TrainOptions {
    std::string modelDir;
    std::string tokenizerPath; // "" -> modelDir
    std::vector<std::string> dataFiles;
    std::string imageRoot;
    TrainStage stage = TrainStage::Pretrain;
    std::string finetuneParams = "full"; // finetune: "full" (all LLM weights) or "lora"

    int loraRank = 1024;
    int loraLayers = 24; // clamped to the model's layer count
    std::vector<std::string> loraTargets = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
    double loraScale = 1.0;            // VoRA: 1.0
    std::optional<double> loraAlpha;   // when set, scale = alpha / r (PEFT)

    // Fresh vision embedding for a plain LLM base (a VoRA base brings its own).
    int imageSize = 448;
    int patchSize = 14;
    int visionWidth = 1536;

    std::string distillDir; // AIMv2-layout teacher; "" = no distillation

    int64_t maxSteps = 0; // optimizer steps; 0 = from epochs
    int64_t epochs = 1;
    int64_t batchSize = 1;
    int64_t gradAccum = 1;
    double lr = 2e-4;
    std::string schedule = "constant_with_warmup";
    int64_t warmupSteps = 100;
    double weightDecay = 0.0;
    double maxGradNorm = 1.0;
    int64_t maxTextLen = 2048;
    uint64_t seed = 42;
    std::string device = "cpu";
    std::string dtype = "auto";
    bool gradientCheckpointing = false;
    int64_t saveEvery = 0; // 0 = only at the end
    bool resume = false;
    std::string outDir;
    bool skipBadSamples = false;
    bool quiet = false; // no progress lines on stdout (progress.jsonl is still written)

    double effectiveLoraScale() const { return loraAlpha ? *loraAlpha / loraRank : loraScale; }
    bool trainsLora() const { return stage == TrainStage::Pretrain || finetuneParams == "lora"; }
};

// Applies a --config JSON object (keys as the flags: "lora-rank" or "lora_rank", "data" string or list, ...).
// Throws core::Error(InvalidConfig) naming the key on unknown keys or wrong types.
void applyTrainConfigJson(TrainOptions& options, const std::string& jsonText, const std::string& pathForErrors);
// Checks ranges and combinations; throws core::Error(InvalidArgument).
void validateTrainOptions(const TrainOptions& options);
std::string toJson(const TrainOptions& options);

} // namespace vora::training
