#include "core/model/decoder_layer.h"

#include "core/model/kv_cache.h"
#include "core/model/rotary_embedding.h"

#include <torch/torch.h>

namespace vora::core {

at::Tensor Mlp::forward(const at::Tensor& x) const
{
    if (gate_up_proj.weight.defined()) {
        const at::Tensor gateUp = gate_up_proj.forward(x);
        const int64_t half = gateUp.size(-1) / 2;
        return down_proj.forward(at::silu(gateUp.narrow(-1, 0, half)) * gateUp.narrow(-1, half, half));
    }
    return down_proj.forward(at::silu(gate_proj.forward(x)) * up_proj.forward(x));
}

namespace {

Linear stack(const std::vector<const Linear*>& parts)
{
    std::vector<at::Tensor> weights;
    std::vector<at::Tensor> biases;
    bool anyBias = false;
    for (const Linear* part : parts) {
        weights.push_back(part->weight);
        anyBias = anyBias || part->bias.defined();
    }
    Linear stacked;
    stacked.weight = at::cat(weights, 0);
    if (anyBias) {
        for (const Linear* part : parts) {
            biases.push_back(part->bias.defined() ? part->bias : at::zeros({part->weight.size(0)}, part->weight.options()));
        }
        stacked.bias = at::cat(biases, 0);
    }
    return stacked;
}

} // namespace

std::vector<std::pair<param::LinearSlot, Linear*>> DecoderLayer::linears()
{
    using param::LinearSlot;
    return {{LinearSlot::QProj, &self_attn.q_proj},  {LinearSlot::KProj, &self_attn.k_proj},
            {LinearSlot::VProj, &self_attn.v_proj},  {LinearSlot::OProj, &self_attn.o_proj},
            {LinearSlot::GateProj, &mlp.gate_proj}, {LinearSlot::UpProj, &mlp.up_proj},
            {LinearSlot::DownProj, &mlp.down_proj}};
}

void DecoderLayer::fuseForInference()
{
    auto& a = self_attn;
    if (!a.q_proj.hasLora() && !a.k_proj.hasLora() && !a.v_proj.hasLora() && a.q_proj.weight.defined()) {
        a.qkv_proj = stack({&a.q_proj, &a.k_proj, &a.v_proj});
        a.q_proj = a.k_proj = a.v_proj = Linear();
    }
    if (!mlp.gate_proj.hasLora() && !mlp.up_proj.hasLora() && mlp.gate_proj.weight.defined()) {
        mlp.gate_up_proj = stack({&mlp.gate_proj, &mlp.up_proj});
        mlp.gate_proj = mlp.up_proj = Linear();
    }
}

at::Tensor DecoderLayer::forward(const at::Tensor& hidden, const LayerContext& context) const
{
    const int64_t batch = hidden.size(0);
    const int64_t length = hidden.size(1);
    const auto& a = self_attn;

    const at::Tensor x = input_layernorm.forward(hidden);
    at::Tensor q;
    at::Tensor k;
    at::Tensor v;
    if (a.qkv_proj.weight.defined()) {
        // One projection, one RoPE pass over the q and k heads together.
        const at::Tensor qkv = a.qkv_proj.forward(x).view({batch, length, a.numHeads + 2 * a.numKvHeads, a.headDim});
        const at::Tensor qk = context.rope->applyToHeads(qkv.narrow(2, 0, a.numHeads + a.numKvHeads), context.positionStart);
        q = qk.narrow(2, 0, a.numHeads).transpose(1, 2);
        k = qk.narrow(2, a.numHeads, a.numKvHeads).transpose(1, 2);
        v = qkv.narrow(2, a.numHeads + a.numKvHeads, a.numKvHeads).transpose(1, 2);
    } else {
        q = a.q_proj.forward(x).view({batch, length, a.numHeads, a.headDim}).transpose(1, 2);
        k = a.k_proj.forward(x).view({batch, length, a.numKvHeads, a.headDim}).transpose(1, 2);
        v = a.v_proj.forward(x).view({batch, length, a.numKvHeads, a.headDim}).transpose(1, 2);
        std::tie(q, k) = context.rope->apply(q, k, context.positionStart);
    }
    if (context.cache) {
        std::tie(k, v) = context.cache->append(index, k, v);
    }
    const at::Tensor attended = attend(q, k, v, *context.mask, context.impl, index, context.positionStart,
                                       context.observer);
    const at::Tensor merged = attended.transpose(1, 2).reshape({batch, length, a.numHeads * a.headDim});
    const at::Tensor afterAttention = hidden + a.o_proj.forward(merged);
    return afterAttention + mlp.forward(post_attention_layernorm.forward(afterAttention));
}

} // namespace vora::core
