#include "core/model/model_config.h"

#include "core/error.h"
#include "core/io/bounded_read.h"
#include "core/io/json_value.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace vora::core {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class Fields {
public:
    Fields(const json& root, std::string path) : m_root(root), m_path(std::move(path)) {}

    template <typename T>
    T required(const char* key) const
    {
        require(m_root.contains(key) && !m_root[key].is_null(), ErrorCode::InvalidConfig,
                m_path + ": missing field \"" + key + "\"");
        return get<T>(key);
    }

    template <typename T>
    T optional(const char* key, T fallback) const
    {
        if (!m_root.contains(key) || m_root[key].is_null()) {
            return fallback;
        }
        return get<T>(key);
    }

    const json& raw() const { return m_root; }
    const std::string& path() const { return m_path; }

private:
    template <typename T>
    T get(const char* key) const
    {
        const std::optional<T> value = jsonAs<T>(m_root[key]);
        require(value.has_value(), ErrorCode::InvalidConfig,
                m_path + ": field \"" + key + "\" must be " + jsonKindName<T>() + ", got " + m_root[key].dump());
        return *value;
    }

    const json& m_root;
    std::string m_path;
};

std::vector<int64_t> idList(const json& value)
{
    if (value.is_number_integer()) {
        return {value.get<int64_t>()};
    }
    if (value.is_array()) {
        std::vector<int64_t> ids;
        for (const auto& id : value) {
            if (id.is_number_integer()) {
                ids.push_back(id.get<int64_t>());
            }
        }
        return ids;
    }
    return {};
}

void requirePositive(int64_t value, const char* name, const std::string& path)
{
    require(value > 0, ErrorCode::InvalidConfig, path + ": \"" + name + "\" must be positive, got " + std::to_string(value));
}

// Sizes beyond any real model: a config that asks for more is broken, and refusing it here keeps
// every product of sizes (parameter counts, cache and table sizes) far from int64 overflow.
constexpr int64_t kMaxVocabulary = int64_t(1) << 24;
constexpr int64_t kMaxWidth = int64_t(1) << 18; // hidden, intermediate and head sizes
constexpr int64_t kMaxLayers = 4096;
constexpr int64_t kMaxHeads = 4096;
constexpr int64_t kMaxPositions = int64_t(1) << 26;

void requireAtMost(int64_t value, int64_t limit, const char* name, const std::string& path)
{
    require(value <= limit, ErrorCode::InvalidConfig,
            path + ": \"" + name + "\" is " + std::to_string(value) + ", more than the " + std::to_string(limit)
                + " any supported model has");
}

void requireInRange(double value, double low, double high, const char* name, const std::string& path)
{
    require(value >= low && value <= high, ErrorCode::InvalidConfig,
            path + ": \"" + name + "\" must be between " + std::to_string(low) + " and " + std::to_string(high)
                + ", got " + std::to_string(value));
}

RopeScaling parseRopeScaling(const Fields& f)
{
    RopeScaling scaling;
    if (!f.raw().contains("rope_scaling") || f.raw()["rope_scaling"].is_null()) {
        return scaling;
    }
    const json& rs = f.raw()["rope_scaling"];
    require(rs.is_object(), ErrorCode::InvalidConfig, f.path() + ": rope_scaling must be an object");
    const Fields s(rs, f.path() + " rope_scaling");
    scaling.type = s.optional<std::string>("rope_type", s.optional<std::string>("type", ""));
    if (scaling.type == "default") {
        scaling.type.clear();
    }
    require(scaling.type.empty() || scaling.type == "linear" || scaling.type == "llama3", ErrorCode::UnsupportedFormat,
            f.path() + ": unsupported rope_scaling type \"" + scaling.type + "\" (supported: linear, llama3)");
    scaling.factor = s.optional<double>("factor", 1.0);
    scaling.lowFreqFactor = s.optional<double>("low_freq_factor", 1.0);
    scaling.highFreqFactor = s.optional<double>("high_freq_factor", 4.0);
    scaling.originalMaxPositions = s.optional<int64_t>("original_max_position_embeddings", 8192);
    requireInRange(scaling.factor, 1e-3, 1e6, "rope_scaling.factor", f.path());
    requireInRange(scaling.lowFreqFactor, 1e-3, 1e6, "rope_scaling.low_freq_factor", f.path());
    requireInRange(scaling.highFreqFactor, 1e-3, 1e6, "rope_scaling.high_freq_factor", f.path());
    require(scaling.type != "llama3" || scaling.highFreqFactor > scaling.lowFreqFactor, ErrorCode::InvalidConfig,
            f.path() + ": rope_scaling.high_freq_factor must be larger than low_freq_factor");
    requirePositive(scaling.originalMaxPositions, "rope_scaling.original_max_position_embeddings", f.path());
    requireAtMost(scaling.originalMaxPositions, kMaxPositions, "rope_scaling.original_max_position_embeddings", f.path());
    return scaling;
}

std::optional<VisionConfig> parseVision(const Fields& f)
{
    if (f.optional<std::string>("model_type", "") != "vora") {
        return std::nullopt;
    }
    VisionConfig vision;
    vision.imageSize = f.optional<int>("image_size", 448);
    vision.patchSize = f.optional<int>("patch_size", 14);
    vision.intermediateSize = f.optional<int>("vision_embedding_intermediate_size", 1536);
    vision.embeddingType = f.optional<std::string>("vision_embedding", "AIMv2Embedding");
    const auto mask = f.optional<std::string>("vision_attention_mask", "bidirectional");
    require(mask == "bidirectional" || mask == "default", ErrorCode::InvalidConfig,
            f.path() + ": vision_attention_mask must be \"bidirectional\" or \"default\", got \"" + mask + "\"");
    vision.attentionMask = mask == "bidirectional" ? VisionAttentionMask::Bidirectional : VisionAttentionMask::Causal;
    requirePositive(vision.patchSize, "patch_size", f.path());
    requirePositive(vision.intermediateSize, "vision_embedding_intermediate_size", f.path());
    requireAtMost(vision.intermediateSize, kMaxWidth, "vision_embedding_intermediate_size", f.path());
    requireAtMost(vision.imageSize, 8192, "image_size", f.path());
    require(vision.imageSize > 0 && vision.imageSize % vision.patchSize == 0, ErrorCode::InvalidConfig,
            f.path() + ": image_size must be a positive multiple of patch_size");
    require(vision.embeddingType == "AIMv2Embedding", ErrorCode::UnsupportedFormat,
            f.path() + ": unsupported vision_embedding \"" + vision.embeddingType + "\"");
    return vision;
}

LoraConfig parseLora(const Fields& f)
{
    LoraConfig lora;
    if (!f.raw().contains("lora") || !f.raw()["lora"].is_object()) {
        return lora;
    }
    const Fields l(f.raw()["lora"], f.path() + " lora");
    const auto& layers = f.raw()["lora"].contains("layers") ? f.raw()["lora"]["layers"] : nlohmann::json();
    if (layers.is_string()) {
        require(layers.get<std::string>() == "all", ErrorCode::InvalidConfig,
                f.path() + ": lora.layers must be an integer or \"all\"");
        lora.layers = f.optional<int>("num_hidden_layers", 0);
    } else {
        lora.layers = l.optional<int>("layers", 0);
    }
    lora.rank = l.optional<int>("r", -1);
    require(lora.layers >= 0 && lora.layers <= kMaxLayers, ErrorCode::InvalidConfig,
            f.path() + ": lora.layers must be between 0 and the number of layers, got " + std::to_string(lora.layers));
    require(lora.rank == -1 || (lora.rank >= 1 && lora.rank <= kMaxWidth), ErrorCode::InvalidConfig,
            f.path() + ": lora.r must be a positive rank, got " + std::to_string(lora.rank));
    lora.targetModules = l.optional<std::vector<std::string>>("target_modules", {});
    return lora;
}

} // namespace

ModelConfig parseModelConfig(const std::string& jsonText, const std::string& path)
{
    json root;
    try {
        root = json::parse(jsonText);
    } catch (const json::exception& e) {
        throw Error(ErrorCode::InvalidConfig, path + ": not valid JSON: " + e.what());
    }
    require(root.is_object(), ErrorCode::InvalidConfig, path + ": not a JSON object");
    const Fields f(root, path);

    ModelConfig c;
    c.modelType = f.required<std::string>("model_type");
    const auto architectures = f.optional<std::vector<std::string>>("architectures", {});
    c.architecture = architectures.empty() ? std::string() : architectures.front();
    require(c.modelType == "vora" || c.modelType == "qwen2" || c.modelType == "llama" || c.modelType == "mistral",
            ErrorCode::UnsupportedFormat,
            path + ": model_type \"" + c.modelType + "\" is not supported (vora, qwen2, llama, mistral)");
    c.vocabSize = f.required<int64_t>("vocab_size");
    c.hiddenSize = f.required<int64_t>("hidden_size");
    c.intermediateSize = f.required<int64_t>("intermediate_size");
    c.numLayers = f.required<int>("num_hidden_layers");
    c.numHeads = f.required<int>("num_attention_heads");
    c.numKeyValueHeads = f.optional<int>("num_key_value_heads", c.numHeads);
    for (auto [value, name] : {std::pair<int64_t, const char*>{c.vocabSize, "vocab_size"},
                               {c.hiddenSize, "hidden_size"}, {c.intermediateSize, "intermediate_size"},
                               {c.numLayers, "num_hidden_layers"}, {c.numHeads, "num_attention_heads"},
                               {c.numKeyValueHeads, "num_key_value_heads"}}) {
        requirePositive(value, name, path);
    }
    requireAtMost(c.vocabSize, kMaxVocabulary, "vocab_size", path);
    requireAtMost(c.hiddenSize, kMaxWidth, "hidden_size", path);
    requireAtMost(c.intermediateSize, kMaxWidth, "intermediate_size", path);
    requireAtMost(c.numLayers, kMaxLayers, "num_hidden_layers", path);
    requireAtMost(c.numHeads, kMaxHeads, "num_attention_heads", path);
    require(c.numHeads % c.numKeyValueHeads == 0, ErrorCode::InvalidConfig,
            path + ": num_attention_heads must be a multiple of num_key_value_heads");
    c.headDim = f.optional<int64_t>("head_dim", c.hiddenSize / c.numHeads);
    require(c.headDim > 0 && c.headDim % 2 == 0, ErrorCode::InvalidConfig, path + ": head_dim must be even and positive");
    requireAtMost(c.headDim, kMaxWidth, "head_dim", path);
    // Out of these ranges the model computes NaN or infinity from the first token on (a zero
    // rope_theta divides by zero, a negative epsilon takes the root of a negative variance).
    c.rmsNormEps = f.optional<double>("rms_norm_eps", 1e-6);
    require(c.rmsNormEps > 0 && c.rmsNormEps <= 1, ErrorCode::InvalidConfig,
            path + ": \"rms_norm_eps\" must be positive and at most 1, got " + std::to_string(c.rmsNormEps));
    c.ropeTheta = f.optional<double>("rope_theta", 10000.0);
    requireInRange(c.ropeTheta, 1.0, 1e12, "rope_theta", path);
    c.ropeScaling = parseRopeScaling(f);
    c.maxPositionEmbeddings = f.optional<int64_t>("max_position_embeddings", 32768);
    requirePositive(c.maxPositionEmbeddings, "max_position_embeddings", path);
    requireAtMost(c.maxPositionEmbeddings, kMaxPositions, "max_position_embeddings", path);
    c.tieWordEmbeddings = f.optional<bool>("tie_word_embeddings", false);
    // Qwen2 always has q/k/v biases. A VoRA checkpoint may wrap a Qwen2 or a LLaMA-family LLM:
    // there the biases are loaded when present (required only when attention_bias says so).
    c.attentionBias = c.modelType == "qwen2" ? true : f.optional<bool>("attention_bias", false);
    c.mlpBias = f.optional<bool>("mlp_bias", false);
    c.hiddenAct = f.optional<std::string>("hidden_act", "silu");
    require(c.hiddenAct == "silu", ErrorCode::UnsupportedFormat, path + ": hidden_act \"" + c.hiddenAct + "\" is not supported");
    c.torchDtype = f.optional<std::string>("torch_dtype", "");
    if (root.contains("eos_token_id")) {
        c.eosTokenIds = idList(root["eos_token_id"]);
    }
    if (root.contains("bos_token_id") && root["bos_token_id"].is_number_integer()) {
        c.bosTokenId = root["bos_token_id"].get<int64_t>();
    }
    c.vision = parseVision(f);
    c.lora = parseLora(f);
    return c;
}

ModelConfig loadModelConfig(const std::string& modelDir)
{
    const fs::path path = fs::path(modelDir) / "config.json";
    require(fs::is_directory(modelDir), ErrorCode::FileNotFound, modelDir + ": not a folder");
    require(fs::exists(path), ErrorCode::FileNotFound, modelDir + ": no config.json (is this a model folder?)");
    return parseModelConfig(readFileBounded(path.string(), kMaxConfigFileBytes), path.string());
}

} // namespace vora::core
