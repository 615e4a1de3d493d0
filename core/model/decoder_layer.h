#pragma once
// One Qwen2/LLaMA decoder block, named like the checkpoint: input_layernorm, self_attn.{q,k,v,o}_proj,
// post_attention_layernorm, mlp.{gate,up,down}_proj. Biases are optional everywhere (VoRA's LoRA blocks
// carry extra biases on o/gate/up/down).
#include "core/model/attention.h"
#include "core/model/linear.h"
#include "core/model/parameter_names.h"
#include "core/model/rms_norm.h"

#include <ATen/core/Tensor.h>

#include <functional>
#include <utility>
#include <vector>

namespace vora::core {

class AttentionObserver;
class KvCache;
class RotaryEmbedding;

struct SelfAttention {
    Linear q_proj, k_proj, v_proj, o_proj;
    // Inference only: q, k and v stacked into one projection (fuseForInference); then the three
    // above are left empty.
    Linear qkv_proj;
    int numHeads = 0;
    int numKvHeads = 0;
    int64_t headDim = 0;
};

struct Mlp {
    Linear gate_proj, up_proj, down_proj;
    Linear gate_up_proj; // inference only: gate and up stacked (fuseForInference)

    at::Tensor forward(const at::Tensor& x) const;
};

struct LayerContext {
    const RotaryEmbedding* rope = nullptr;
    int64_t positionStart = 0; // positions are [positionStart, positionStart + L)
    const AttentionMaskSpec* mask = nullptr;
    KvCache* cache = nullptr; // null: attend within this call only (training, full recompute)
    AttentionImpl impl = AttentionImpl::Fused;
    AttentionObserver* observer = nullptr;
};

struct DecoderLayer {
    int index = 0;
    RmsNorm input_layernorm;
    SelfAttention self_attn;
    RmsNorm post_attention_layernorm;
    Mlp mlp;

    // hidden: [B, L, D] -> [B, L, D]
    at::Tensor forward(const at::Tensor& hidden, const LayerContext& context) const;
    // Stacks q/k/v and gate/up into single projections (fewer, larger GEMMs and one RoPE pass per
    // step). Skipped when LoRA runs unmerged. Frees the separate weights; training must not call it.
    void fuseForInference();
    // The seven Linear modules by checkpoint slot, in checkpoint order (empty after fuseForInference
    // for the fused ones).
    std::vector<std::pair<param::LinearSlot, Linear*>> linears();
};

} // namespace vora::core
