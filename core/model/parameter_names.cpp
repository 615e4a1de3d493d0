#include "core/model/parameter_names.h"

#include "core/error.h"

#include <initializer_list>

namespace vora::core::param {
namespace {

constexpr std::string_view kLlmPrefix = "llm.";
constexpr std::string_view kLoraASuffix = ".lora_A.weight";
constexpr std::string_view kLoraBSuffix = ".lora_B.weight";
static_assert(kLoraASuffix.size() == kLoraBSuffix.size());

// Concatenation through one buffer (GCC 14 misreports chains of std::string + as out of bounds).
std::string join(std::initializer_list<std::string_view> parts)
{
    std::string out;
    for (const std::string_view part : parts) {
        out.append(part);
    }
    return out;
}

bool startsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool endsWith(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Names a plain HF decoder stores at its top level: these carry "llm." in a VoRA checkpoint.
bool isPlainLlmName(std::string_view name) { return startsWith(name, "model.") || startsWith(name, "lm_head."); }

} // namespace

std::string_view linearModule(LinearSlot slot)
{
    switch (slot) {
    case LinearSlot::QProj: return "self_attn.q_proj";
    case LinearSlot::KProj: return "self_attn.k_proj";
    case LinearSlot::VProj: return "self_attn.v_proj";
    case LinearSlot::OProj: return "self_attn.o_proj";
    case LinearSlot::GateProj: return "mlp.gate_proj";
    case LinearSlot::UpProj: return "mlp.up_proj";
    case LinearSlot::DownProj: return "mlp.down_proj";
    }
    throw Error(ErrorCode::Internal, "unknown linear slot");
}

std::string_view linearTarget(LinearSlot slot)
{
    const std::string_view module = linearModule(slot);
    return module.substr(module.find('.') + 1);
}

std::optional<LinearSlot> linearSlotOfTarget(std::string_view target)
{
    for (const LinearSlot slot : kLinearSlots) {
        if (linearTarget(slot) == target) {
            return slot;
        }
    }
    return std::nullopt;
}

std::vector<std::string> allLinearTargets()
{
    std::vector<std::string> targets;
    for (const LinearSlot slot : kLinearSlots) {
        targets.emplace_back(linearTarget(slot));
    }
    return targets;
}

LinearShape linearShape(LinearSlot slot, const ModelConfig& c)
{
    const int64_t q = int64_t(c.numHeads) * c.headDim;
    const int64_t kv = int64_t(c.numKeyValueHeads) * c.headDim;
    switch (slot) {
    case LinearSlot::QProj: return {q, c.hiddenSize};
    case LinearSlot::KProj:
    case LinearSlot::VProj: return {kv, c.hiddenSize};
    case LinearSlot::OProj: return {c.hiddenSize, q};
    case LinearSlot::GateProj:
    case LinearSlot::UpProj: return {c.intermediateSize, c.hiddenSize};
    case LinearSlot::DownProj: return {c.hiddenSize, c.intermediateSize};
    }
    throw Error(ErrorCode::Internal, "unknown linear slot");
}

std::string layerPrefix(int layer) { return join({kLlmPrefix, "model.layers.", std::to_string(layer), "."}); }
std::string linearName(int layer, LinearSlot slot) { return join({layerPrefix(layer), linearModule(slot)}); }
std::string weightOf(std::string_view module) { return join({module, ".weight"}); }
std::string biasOf(std::string_view module) { return join({module, ".bias"}); }
std::string loraAOf(std::string_view module) { return join({module, kLoraASuffix}); }
std::string loraBOf(std::string_view module) { return join({module, kLoraBSuffix}); }
std::string inputLayerNorm(int layer) { return join({layerPrefix(layer), "input_layernorm.weight"}); }
std::string postAttentionLayerNorm(int layer) { return join({layerPrefix(layer), "post_attention_layernorm.weight"}); }
std::string embedTokens() { return join({kLlmPrefix, "model.embed_tokens.weight"}); }
std::string finalNorm() { return join({kLlmPrefix, "model.norm.weight"}); }
std::string lmHead() { return join({kLlmPrefix, "lm_head.weight"}); }

std::string distillHeadNorm(int head) { return join({"aux_vision.aux_layer_", std::to_string(head), ".0.weight"}); }
std::string distillHeadProjection(int head) { return join({"aux_vision.aux_layer_", std::to_string(head), ".1.weight"}); }

std::string optimizerFirstMoment(std::string_view parameter) { return join({parameter, ".exp_avg"}); }
std::string optimizerSecondMoment(std::string_view parameter) { return join({parameter, ".exp_avg_sq"}); }

std::string officialName(std::string_view stored)
{
    return isPlainLlmName(stored) ? join({kLlmPrefix, stored}) : std::string(stored);
}

std::string plainLlmName(std::string_view official)
{
    if (!startsWith(official, kLlmPrefix)) {
        return {};
    }
    const std::string_view rest = official.substr(kLlmPrefix.size());
    return isPlainLlmName(rest) ? std::string(rest) : std::string();
}

bool isTeacherName(std::string_view name) { return startsWith(name, "aux_vision."); }
bool isIgnorableBuffer(std::string_view name) { return name.find("rotary_emb.inv_freq") != std::string_view::npos; }
bool isLoraA(std::string_view name) { return endsWith(name, kLoraASuffix); }
bool isLoraB(std::string_view name) { return endsWith(name, kLoraBSuffix); }

std::string moduleOfLora(std::string_view loraName)
{
    require(isLoraA(loraName) || isLoraB(loraName), ErrorCode::InvalidArgument, join({loraName, " is no LoRA weight"}));
    return std::string(loraName.substr(0, loraName.size() - kLoraASuffix.size()));
}

} // namespace vora::core::param
