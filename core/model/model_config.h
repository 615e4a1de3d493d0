#pragma once
// The typed form of a checkpoint's config.json: official VoRA checkpoints (model_type "vora",
// every Qwen2 field merged in) and plain Qwen2 / LLaMA / Mistral decoders (text only).
// Plain C++ (no torch): the app reads it to validate folders.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vora::core {

enum class VisionAttentionMask { Bidirectional, Causal };

struct RopeScaling {
    std::string type; // "" (none), "linear", "llama3"
    double factor = 1.0;
    double lowFreqFactor = 1.0;
    double highFreqFactor = 4.0;
    int64_t originalMaxPositions = 8192;
};

struct LoraConfig {
    int layers = 0; // LoRA lives in blocks [0, layers)
    int rank = -1;  // -1: merged (no LoRA tensors expected)
    std::vector<std::string> targetModules;
};

struct VisionConfig {
    int imageSize = 448;
    int patchSize = 14;
    int intermediateSize = 1536;
    std::string embeddingType = "AIMv2Embedding";
    VisionAttentionMask attentionMask = VisionAttentionMask::Bidirectional;

    int gridSide() const { return imageSize / patchSize; }
};

struct ModelConfig {
    std::string modelType; // "vora", "qwen2", "llama", "mistral"
    std::string architecture;
    int64_t vocabSize = 0;
    int64_t hiddenSize = 0;
    int64_t intermediateSize = 0;
    int numLayers = 0;
    int numHeads = 0;
    int numKeyValueHeads = 0;
    int64_t headDim = 0;
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    RopeScaling ropeScaling;
    int64_t maxPositionEmbeddings = 32768;
    bool tieWordEmbeddings = false;
    bool attentionBias = false; // q/k/v bias (Qwen2 always; LLaMA when attention_bias)
    bool mlpBias = false;
    std::string hiddenAct = "silu";
    std::string torchDtype;
    std::vector<int64_t> eosTokenIds;
    std::optional<int64_t> bosTokenId;
    std::optional<VisionConfig> vision; // present for VoRA checkpoints
    LoraConfig lora;

    bool isVora() const { return vision.has_value(); }
    // The context a loaded model offers unless its loader is told otherwise: the RoPE table and
    // KV cache are sized by it, so it is capped well below what long-context configs declare.
    int64_t defaultContext() const { return maxPositionEmbeddings < 32768 ? maxPositionEmbeddings : 32768; }
};

// Throws Error(FileNotFound | InvalidConfig) naming the file and the field.
ModelConfig parseModelConfig(const std::string& jsonText, const std::string& pathForErrors);
ModelConfig loadModelConfig(const std::string& modelDir);

} // namespace vora::core
