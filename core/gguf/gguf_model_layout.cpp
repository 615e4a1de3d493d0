#include "core/gguf/gguf_model_layout.h"

#include "core/error.h"
#include "core/gguf/gguf_dequantize.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

namespace vora::core {
namespace {

constexpr int64_t kMaxCount = std::numeric_limits<int32_t>::max();

class Metadata {
public:
    Metadata(const GgufFile& file, std::string arch) : m_file(file), m_arch(std::move(arch)) {}

    std::string key(const std::string& suffix) const { return m_arch + "." + suffix; }

    int64_t count(const std::string& suffix) const
    {
        const auto value = m_file.unsignedInteger(key(suffix));
        require(value.has_value(), ErrorCode::CorruptFile, m_file.path() + ": missing metadata " + key(suffix));
        return checked(suffix, *value);
    }

    std::optional<int64_t> optionalCount(const std::string& suffix) const
    {
        const auto value = m_file.unsignedInteger(key(suffix));
        return value ? std::optional<int64_t>(checked(suffix, *value)) : std::nullopt;
    }

    // A float32 value as the shortest decimal that reads back to it (1e-05, not 9.99999974e-06),
    // which is what the HF config the GGUF was converted from said.
    std::optional<double> real(const std::string& suffix) const
    {
        const GgufValue* value = m_file.find(key(suffix));
        if (!value) {
            return std::nullopt;
        }
        const auto number = m_file.number(key(suffix));
        require(std::isfinite(*number) && *number > 0, ErrorCode::CorruptFile,
                m_file.path() + ": " + key(suffix) + " must be positive and finite, found " + value->describe());
        if (value->type() != GgufValueType::F32) {
            return number;
        }
        char text[64];
        const auto result = std::to_chars(text, text + sizeof(text), static_cast<float>(*number));
        *result.ptr = '\0';
        return std::strtod(text, nullptr);
    }

private:
    int64_t checked(const std::string& suffix, uint64_t value) const
    {
        require(value > 0 && value <= static_cast<uint64_t>(kMaxCount), ErrorCode::CorruptFile,
                m_file.path() + ": " + key(suffix) + " must be between 1 and " + std::to_string(kMaxCount) + ", found "
                    + std::to_string(value));
        return static_cast<int64_t>(value);
    }

    const GgufFile& m_file;
    std::string m_arch;
};

GgufDecoderConfig readConfig(const GgufFile& file)
{
    GgufDecoderConfig c;
    c.architecture = file.string("general.architecture").value_or("");
    require(c.architecture == "llama" || c.architecture == "qwen2", ErrorCode::UnsupportedFormat,
            file.path() + ": general.architecture \"" + c.architecture
                + "\" is not supported (supported: llama, qwen2)");
    const Metadata m(file, c.architecture);
    require(!m.optionalCount("expert_count"), ErrorCode::UnsupportedFormat,
            file.path() + ": mixture-of-experts models (" + m.key("expert_count") + ") are not supported");
    c.hiddenSize = m.count("embedding_length");
    c.numLayers = m.count("block_count");
    c.intermediateSize = m.count("feed_forward_length");
    c.numHeads = m.count("attention.head_count");
    c.numKeyValueHeads = m.optionalCount("attention.head_count_kv").value_or(c.numHeads);
    c.maxPositionEmbeddings = m.count("context_length");
    require(c.numHeads % c.numKeyValueHeads == 0, ErrorCode::CorruptFile,
            file.path() + ": " + m.key("attention.head_count") + " " + std::to_string(c.numHeads)
                + " is not a multiple of " + m.key("attention.head_count_kv") + " " + std::to_string(c.numKeyValueHeads));
    const auto keyLength = m.optionalCount("attention.key_length");
    require(keyLength || c.hiddenSize % c.numHeads == 0, ErrorCode::CorruptFile,
            file.path() + ": " + m.key("embedding_length") + " is not a multiple of the head count");
    c.headDim = keyLength.value_or(c.hiddenSize / c.numHeads);
    require(c.headDim % 2 == 0, ErrorCode::CorruptFile, file.path() + ": the head size " + std::to_string(c.headDim) + " is odd");
    const auto valueLength = m.optionalCount("attention.value_length");
    require(!valueLength || *valueLength == c.headDim, ErrorCode::UnsupportedFormat,
            file.path() + ": " + m.key("attention.value_length") + " differs from the key length");
    const auto ropeDims = m.optionalCount("rope.dimension_count");
    require(!ropeDims || *ropeDims == c.headDim, ErrorCode::UnsupportedFormat,
            file.path() + ": partial rotary embeddings (" + m.key("rope.dimension_count") + " "
                + std::to_string(ropeDims.value_or(0)) + " of " + std::to_string(c.headDim) + ") are not supported");
    const auto eps = m.real("attention.layer_norm_rms_epsilon");
    require(eps.has_value(), ErrorCode::CorruptFile, file.path() + ": missing metadata " + m.key("attention.layer_norm_rms_epsilon"));
    c.rmsNormEps = *eps;
    c.ropeTheta = m.real("rope.freq_base").value_or(10000.0);
    const std::string scaling = file.string(m.key("rope.scaling.type")).value_or("none");
    if (scaling == "linear") {
        c.linearRopeScaling = m.real("rope.scaling.factor").value_or(1.0);
    } else {
        require(scaling == "none", ErrorCode::UnsupportedFormat,
                file.path() + ": " + m.key("rope.scaling.type") + " \"" + scaling + "\" is not supported (none, linear)");
    }
    return c;
}

struct LayerTensor {
    const char* gguf;
    const char* hf;
};

constexpr LayerTensor kLayerTensors[] = {
    {"attn_norm.weight", "input_layernorm.weight"},
    {"attn_q.weight", "self_attn.q_proj.weight"},
    {"attn_k.weight", "self_attn.k_proj.weight"},
    {"attn_v.weight", "self_attn.v_proj.weight"},
    {"attn_output.weight", "self_attn.o_proj.weight"},
    {"ffn_norm.weight", "post_attention_layernorm.weight"},
    {"ffn_gate.weight", "mlp.gate_proj.weight"},
    {"ffn_up.weight", "mlp.up_proj.weight"},
    {"ffn_down.weight", "mlp.down_proj.weight"},
};

constexpr LayerTensor kBiasTensors[] = {
    {"attn_q.bias", "self_attn.q_proj.bias"},
    {"attn_k.bias", "self_attn.k_proj.bias"},
    {"attn_v.bias", "self_attn.v_proj.bias"},
};

// The HF shape each tensor must have, and the rotary head count for llama's q/k.
struct Expected {
    std::string hfName;
    std::vector<int64_t> shape;
    int64_t rotaryHeads = 0;
};

std::map<std::string, Expected> expectedTensors(const GgufDecoderConfig& c)
{
    const int64_t q = c.numHeads * c.headDim;
    const int64_t kv = c.numKeyValueHeads * c.headDim;
    const bool llama = c.architecture == "llama";
    std::map<std::string, Expected> out;
    out["token_embd.weight"] = {"model.embed_tokens.weight", {c.vocabSize, c.hiddenSize}};
    out["output_norm.weight"] = {"model.norm.weight", {c.hiddenSize}};
    if (!c.tieWordEmbeddings) {
        out["output.weight"] = {"lm_head.weight", {c.vocabSize, c.hiddenSize}};
    }
    for (int64_t layer = 0; layer < c.numLayers; ++layer) {
        const std::string blk = "blk." + std::to_string(layer) + ".";
        const std::string hf = "model.layers." + std::to_string(layer) + ".";
        const std::map<std::string, std::vector<int64_t>> shapes = {
            {"attn_norm.weight", {c.hiddenSize}},        {"attn_q.weight", {q, c.hiddenSize}},
            {"attn_k.weight", {kv, c.hiddenSize}},       {"attn_v.weight", {kv, c.hiddenSize}},
            {"attn_output.weight", {c.hiddenSize, q}},   {"ffn_norm.weight", {c.hiddenSize}},
            {"ffn_gate.weight", {c.intermediateSize, c.hiddenSize}},
            {"ffn_up.weight", {c.intermediateSize, c.hiddenSize}},
            {"ffn_down.weight", {c.hiddenSize, c.intermediateSize}},
            {"attn_q.bias", {q}},                        {"attn_k.bias", {kv}},
            {"attn_v.bias", {kv}},
        };
        for (const LayerTensor& t : kLayerTensors) {
            out[blk + t.gguf] = {hf + t.hf, shapes.at(t.gguf)};
        }
        if (c.attentionBias) {
            for (const LayerTensor& t : kBiasTensors) {
                out[blk + t.gguf] = {hf + t.hf, shapes.at(t.gguf)};
            }
        }
        if (llama) {
            out[blk + "attn_q.weight"].rotaryHeads = c.numHeads;
            out[blk + "attn_k.weight"].rotaryHeads = c.numKeyValueHeads;
        }
    }
    return out;
}

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + "]";
}

} // namespace

GgufModelPlan planGgufModel(const GgufFile& file)
{
    GgufModelPlan plan;
    GgufDecoderConfig& c = plan.config;
    c = readConfig(file);
    const GgufTensorInfo* embedding = file.findTensor("token_embd.weight");
    require(embedding && embedding->dims.size() == 2, ErrorCode::CorruptFile,
            file.path() + ": no two-dimensional token_embd.weight tensor");
    c.vocabSize = static_cast<int64_t>(embedding->dims[1]);
    const Metadata m(file, c.architecture);
    if (const auto vocab = m.optionalCount("vocab_size")) {
        require(*vocab == c.vocabSize, ErrorCode::CorruptFile,
                file.path() + ": " + m.key("vocab_size") + " " + std::to_string(*vocab) + " differs from token_embd.weight's "
                    + std::to_string(c.vocabSize) + " rows");
    }
    require(static_cast<uint64_t>(c.numLayers) <= file.tensors().size() / std::size(kLayerTensors), ErrorCode::CorruptFile,
            file.path() + ": " + m.key("block_count") + " " + std::to_string(c.numLayers) + " needs more tensors than the "
                + std::to_string(file.tensors().size()) + " in the file");
    c.tieWordEmbeddings = file.findTensor("output.weight") == nullptr;
    const bool hasBias = file.findTensor("blk.0.attn_q.bias") != nullptr;
    require(c.architecture == "qwen2" || !hasBias, ErrorCode::UnsupportedFormat,
            file.path() + ": llama attention biases (blk.0.attn_q.bias) are not supported");
    c.attentionBias = c.architecture == "qwen2";

    const std::map<std::string, Expected> expected = expectedTensors(c);
    std::set<std::string> seen;
    for (const GgufTensorInfo& info : file.tensors()) {
        const auto it = expected.find(info.name);
        if (it == expected.end()) {
            require(info.name != "rope_freqs.weight", ErrorCode::UnsupportedFormat,
                    file.path() + ": rope_freqs.weight (Llama 3.1-style rope scaling) is not supported");
            throw Error(ErrorCode::UnsupportedFormat, file.path() + ": tensor " + info.describe() + " is not part of the "
                                                          + c.architecture + " layout this importer knows");
        }
        require(info.shape() == it->second.shape, ErrorCode::CorruptFile,
                file.path() + ": tensor " + info.describe() + " should have shape " + shapeText(it->second.shape)
                    + " for this model's metadata");
        require(canDequantize(info.type), ErrorCode::UnsupportedFormat,
                file.path() + ": tensor " + info.describe() + ": type " + std::string(ggmlTypeName(info.type))
                    + " cannot be dequantised (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K)");
        plan.tensors.push_back({&info, it->second.hfName, it->second.shape, it->second.rotaryHeads});
        seen.insert(info.name);
    }
    for (const auto& [name, want] : expected) {
        require(seen.count(name) > 0, ErrorCode::CorruptFile,
                file.path() + ": missing tensor " + name + " (" + want.hfName + ")");
    }
    return plan;
}

void unpermuteRotaryRows(std::vector<float>& values, int64_t rows, int64_t cols, int64_t heads)
{
    require(heads > 0 && rows % heads == 0 && (rows / heads) % 2 == 0
                && values.size() == static_cast<size_t>(rows * cols),
            ErrorCode::InvalidArgument, "rotary rows: " + std::to_string(rows) + " rows do not split into "
                                            + std::to_string(heads) + " heads of an even size");
    const int64_t headDim = rows / heads;
    const int64_t half = headDim / 2;
    std::vector<float> out(values.size());
    for (int64_t h = 0; h < heads; ++h) {
        for (int64_t j = 0; j < half; ++j) {
            for (int64_t t = 0; t < 2; ++t) {
                const int64_t from = h * headDim + 2 * j + t;
                const int64_t to = h * headDim + t * half + j;
                std::copy_n(values.begin() + from * cols, cols, out.begin() + to * cols);
            }
        }
    }
    values = std::move(out);
}

} // namespace vora::core
