#include "core/gguf/gguf_hf_config.h"

#include <nlohmann/json.hpp>

namespace vora::core {
namespace {

using nlohmann::ordered_json;

ordered_json idOrNull(const std::optional<int64_t>& id)
{
    return id ? ordered_json(*id) : ordered_json(nullptr);
}

// One id as a number, several as a list, none as null (HF accepts all three).
ordered_json eosJson(const std::vector<int64_t>& ids)
{
    if (ids.empty()) {
        return nullptr;
    }
    return ids.size() == 1 ? ordered_json(ids.front()) : ordered_json(ids);
}

} // namespace

std::string hfModelConfigJson(const GgufDecoderConfig& c, const GgufTokenizerExport& tokenizer,
                              const std::string& torchDtype)
{
    const bool qwen2 = c.architecture == "qwen2";
    ordered_json config = {
        {"architectures", {qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM"}},
        {"model_type", c.architecture},
        {"vocab_size", c.vocabSize},
        {"hidden_size", c.hiddenSize},
        {"intermediate_size", c.intermediateSize},
        {"num_hidden_layers", c.numLayers},
        {"num_attention_heads", c.numHeads},
        {"num_key_value_heads", c.numKeyValueHeads},
        {"head_dim", c.headDim},
        {"max_position_embeddings", c.maxPositionEmbeddings},
        {"rms_norm_eps", c.rmsNormEps},
        {"rope_theta", c.ropeTheta},
        {"rope_scaling", c.linearRopeScaling ? ordered_json{{"rope_type", "linear"}, {"factor", *c.linearRopeScaling}}
                                             : ordered_json(nullptr)},
        {"hidden_act", "silu"},
        {"tie_word_embeddings", c.tieWordEmbeddings},
        {"bos_token_id", idOrNull(tokenizer.bosId)},
        {"eos_token_id", eosJson(tokenizer.eosIds)},
        {"pad_token_id", idOrNull(tokenizer.padId)},
        {"torch_dtype", torchDtype},
        {"use_cache", true},
    };
    if (qwen2) {
        config["use_sliding_window"] = false;
        config["sliding_window"] = c.maxPositionEmbeddings;
        config["max_window_layers"] = c.numLayers;
    } else {
        config["attention_bias"] = false;
        config["mlp_bias"] = false;
    }
    return config.dump(2) + "\n";
}

std::string hfGenerationConfigJson(const GgufTokenizerExport& tokenizer)
{
    ordered_json config = {{"bos_token_id", idOrNull(tokenizer.bosId)},
                           {"eos_token_id", eosJson(tokenizer.eosIds)},
                           {"pad_token_id", idOrNull(tokenizer.padId)},
                           {"do_sample", false}};
    return config.dump(2) + "\n";
}

} // namespace vora::core
