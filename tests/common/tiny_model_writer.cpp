#include "tiny_model_writer.h"

#include "core/error.h"
#include "core/safetensors/safetensors_writer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace vora::testing {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kQwenVocab = 151936;

class TensorSet {
public:
    explicit TensorSet(unsigned seed) : m_random(seed) {}

    void add(const std::string& name, std::vector<int64_t> shape, float scale, float offset = 0.f)
    {
        int64_t count = 1;
        for (int64_t d : shape) {
            count *= d;
        }
        std::normal_distribution<float> normal(0.f, 1.f);
        auto& data = m_data.emplace_back(static_cast<size_t>(count));
        for (float& v : data) {
            v = offset + scale * normal(m_random);
        }
        m_entries.push_back({name, "F32", std::move(shape), std::as_bytes(std::span<const float>(data))});
    }

    void write(const std::string& path) { core::writeSafetensors(path, m_entries, {{"format", "pt"}}); }

private:
    std::mt19937 m_random;
    std::vector<std::vector<float>> m_data;
    std::vector<core::SafetensorsEntry> m_entries;
};

void writeJson(const fs::path& path, const nlohmann::json& json)
{
    std::ofstream out(path);
    out << json.dump(1);
    core::require(out.good(), core::ErrorCode::Io, "cannot write " + path.string());
}

} // namespace

std::string writeTinyQwenVoraModel(const std::string& dir, const TinyModelOptions& o)
{
    fs::create_directories(dir);
    const int64_t d = o.hidden;
    const int heads = 2;
    const int kvHeads = 1;
    const int64_t headDim = d / heads;
    const int64_t ffn = 2 * d;
    const int64_t width = 8;
    const int grid = o.imageSize / 14;

    TensorSet t(o.seed);
    t.add("llm.model.embed_tokens.weight", {kQwenVocab, d}, 0.5f);
    for (int i = 0; i < o.layers; ++i) {
        const std::string p = "llm.model.layers." + std::to_string(i);
        t.add(p + ".input_layernorm.weight", {d}, 0.1f, 1.f);
        t.add(p + ".post_attention_layernorm.weight", {d}, 0.1f, 1.f);
        t.add(p + ".self_attn.q_proj.weight", {heads * headDim, d}, 0.3f);
        t.add(p + ".self_attn.q_proj.bias", {heads * headDim}, 0.1f);
        t.add(p + ".self_attn.k_proj.weight", {kvHeads * headDim, d}, 0.3f);
        t.add(p + ".self_attn.k_proj.bias", {kvHeads * headDim}, 0.1f);
        t.add(p + ".self_attn.v_proj.weight", {kvHeads * headDim, d}, 0.3f);
        t.add(p + ".self_attn.v_proj.bias", {kvHeads * headDim}, 0.1f);
        t.add(p + ".self_attn.o_proj.weight", {d, heads * headDim}, 0.3f);
        t.add(p + ".mlp.gate_proj.weight", {ffn, d}, 0.3f);
        t.add(p + ".mlp.up_proj.weight", {ffn, d}, 0.3f);
        t.add(p + ".mlp.down_proj.weight", {d, ffn}, 0.3f);
        if (o.loraRank > 0) {
            const std::pair<const char*, std::pair<int64_t, int64_t>> projections[] = {
                {"self_attn.q_proj", {heads * headDim, d}}, {"self_attn.k_proj", {kvHeads * headDim, d}},
                {"self_attn.v_proj", {kvHeads * headDim, d}}, {"self_attn.o_proj", {d, heads * headDim}},
                {"mlp.gate_proj", {ffn, d}}, {"mlp.up_proj", {ffn, d}}, {"mlp.down_proj", {d, ffn}}};
            for (const auto& [name, shape] : projections) {
                t.add(p + "." + name + ".lora_A.weight", {o.loraRank, shape.second}, 0.3f);
                t.add(p + "." + name + ".lora_B.weight", {shape.first, o.loraRank}, 0.3f);
            }
        }
    }
    t.add("llm.model.norm.weight", {d}, 0.1f, 1.f);
    t.add("llm.lm_head.weight", {kQwenVocab, d}, 0.5f);
    t.add("vision_embedding.patchifier.proj.weight", {width, 3, 14, 14}, 0.05f);
    t.add("vision_embedding.patchifier.proj.bias", {width}, 0.1f);
    t.add("vision_embedding.patchifier.norm.weight", {width}, 0.1f, 1.f);
    t.add("vision_embedding.pos_embed", {1, int64_t(grid) * grid, width}, 0.5f);
    t.add("vision_embedding.out_proj.weight", {d, width}, 0.3f);
    t.write((fs::path(dir) / "model.safetensors").string());

    writeJson(fs::path(dir) / "config.json",
              {{"model_type", "vora"}, {"architectures", {"VoRAForCausalLM"}}, {"vocab_size", kQwenVocab},
               {"hidden_size", d}, {"intermediate_size", ffn}, {"num_hidden_layers", o.layers},
               {"num_attention_heads", heads}, {"num_key_value_heads", kvHeads}, {"rms_norm_eps", 1e-6},
               {"rope_theta", 1000000.0}, {"max_position_embeddings", o.maxPositions}, {"tie_word_embeddings", false},
               {"image_size", o.imageSize}, {"patch_size", 14}, {"vision_embedding", "AIMv2Embedding"},
               {"vision_embedding_intermediate_size", width}, {"vision_attention_mask", "bidirectional"},
               {"lora", {{"layers", o.loraRank > 0 ? o.layers : o.mergedLoraLayers}, {"r", o.loraRank > 0 ? o.loraRank : -1}}}, {"eos_token_id", 151645}, {"torch_dtype", "float32"}});
    writeJson(fs::path(dir) / "generation_config.json",
              {{"do_sample", true}, {"temperature", 0.7}, {"top_p", 0.8}, {"top_k", 20},
               {"repetition_penalty", 1.05}, {"eos_token_id", {151645, 151643}}, {"pad_token_id", 151643}});
    const fs::path tokenizers = fs::path(VORA_TEST_DATA_DIR) / "tokenizers" / "qwen2";
    for (const char* name : {"tokenizer.json", "tokenizer_config.json"}) {
        fs::copy_file(tokenizers / name, fs::path(dir) / name, fs::copy_options::overwrite_existing);
    }
    return dir;
}

} // namespace vora::testing
