#pragma once
// The one registry of checkpoint tensor names (docs/vora-format.md). Official names are the VoRA
// checkpoint's:
//   llm.model.embed_tokens.weight                    llm.model.norm.weight    llm.lm_head.weight
//   llm.model.layers.{i}.input_layernorm.weight      llm.model.layers.{i}.post_attention_layernorm.weight
//   llm.model.layers.{i}.self_attn.{q,k,v,o}_proj.{weight, bias, lora_A.weight, lora_B.weight}
//   llm.model.layers.{i}.mlp.{gate,up,down}_proj.{weight, bias, lora_A.weight, lora_B.weight}
//   vision_embedding.patchifier.proj.{weight, bias}, vision_embedding.patchifier.norm.weight,
//   vision_embedding.pos_embed, vision_embedding.out_proj.weight
//   aux_vision.*  (the distillation teacher and its heads aux_vision.aux_layer_{k}.{0,1}.weight)
// A plain Qwen2/LLaMA checkpoint stores the LLM part without "llm." (model.*, lm_head.*): the prefix
// rule is officialName / plainLlmName below and nowhere else. The loader, the trainable model, the
// merge and training checkpoints all name tensors through this file. Plain C++ (no torch).
#include "core/model/model_config.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vora::core::param {

// The seven Linear modules of a decoder block, in checkpoint order.
enum class LinearSlot { QProj, KProj, VProj, OProj, GateProj, UpProj, DownProj };
inline constexpr std::array<LinearSlot, 7> kLinearSlots = {LinearSlot::QProj,    LinearSlot::KProj, LinearSlot::VProj,
                                                           LinearSlot::OProj,    LinearSlot::GateProj,
                                                           LinearSlot::UpProj,   LinearSlot::DownProj};

std::string_view linearModule(LinearSlot slot); // "self_attn.q_proj", "mlp.down_proj"
std::string_view linearTarget(LinearSlot slot); // "q_proj": the name --lora-targets and config lora use
std::optional<LinearSlot> linearSlotOfTarget(std::string_view target);
std::vector<std::string> allLinearTargets();

struct LinearShape {
    int64_t out = 0;
    int64_t in = 0;
};
LinearShape linearShape(LinearSlot slot, const ModelConfig& config); // weight [out, in]

// Official names (with "llm.").
std::string layerPrefix(int layer);                  // "llm.model.layers.{i}."
std::string linearName(int layer, LinearSlot slot);  // the module: "llm.model.layers.{i}.self_attn.q_proj"
std::string weightOf(std::string_view module);       // module + ".weight"
std::string biasOf(std::string_view module);         // module + ".bias"
std::string loraAOf(std::string_view module);        // module + ".lora_A.weight"  [r, in]
std::string loraBOf(std::string_view module);        // module + ".lora_B.weight"  [out, r]
std::string inputLayerNorm(int layer);
std::string postAttentionLayerNorm(int layer);
std::string embedTokens();
std::string finalNorm();
std::string lmHead();

inline constexpr std::string_view kVisionProjWeight = "vision_embedding.patchifier.proj.weight";
inline constexpr std::string_view kVisionProjBias = "vision_embedding.patchifier.proj.bias";
inline constexpr std::string_view kVisionNormWeight = "vision_embedding.patchifier.norm.weight";
inline constexpr std::string_view kVisionPosEmbed = "vision_embedding.pos_embed";
inline constexpr std::string_view kVisionOutProj = "vision_embedding.out_proj.weight";

// Distillation head k (RMSNorm weight, projection weight): the reference's aux_vision module names.
std::string distillHeadNorm(int head);
std::string distillHeadProjection(int head);

// Training checkpoints: AdamW moments of a parameter and the CPU random generator's state.
std::string optimizerFirstMoment(std::string_view parameter);  // "<name>.exp_avg"
std::string optimizerSecondMoment(std::string_view parameter); // "<name>.exp_avg_sq"
inline constexpr std::string_view kCpuRngState = "__rng__.cpu";

// The prefix rule: a stored name as its official name (plain model.* / lm_head.* get "llm."), and an
// official LLM name as a plain checkpoint stores it ("" for names outside the LLM).
std::string officialName(std::string_view stored);
std::string plainLlmName(std::string_view official);

bool isTeacherName(std::string_view name);      // aux_vision.*: ignored at inference
bool isIgnorableBuffer(std::string_view name);  // rotary_emb.inv_freq: recomputed, never loaded
bool isLoraA(std::string_view name);
bool isLoraB(std::string_view name);
// The module a lora_A / lora_B weight belongs to ("llm.model.layers.3.self_attn.q_proj").
std::string moduleOfLora(std::string_view loraName);

} // namespace vora::core::param
