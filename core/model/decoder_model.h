#pragma once
// The decoder-only LLM (Qwen2 / LLaMA family), named like the checkpoint: model.embed_tokens,
// model.layers.{i}, model.norm, lm_head (or tied to embed_tokens).
#include "core/model/decoder_layer.h"
#include "core/model/model_config.h"
#include "core/model/rotary_embedding.h"

#include <ATen/core/Tensor.h>

#include <functional>
#include <vector>

namespace vora::core {

struct ForwardOptions {
    AttentionImpl impl = AttentionImpl::Fused;
    AttentionObserver* observer = nullptr;
    // Called with (k, hidden [B, L, D]) for k = 0 (embedding output) and k >= 1 (output of block k-1),
    // as HF's output_hidden_states orders them (the last, after the final norm, is not reported).
    std::function<void(int, const at::Tensor&)> onHiddenState;
};

struct DecoderModel {
    ModelConfig config;
    at::Tensor embed_tokens; // [V, D]
    std::vector<DecoderLayer> layers;
    RmsNorm norm;
    at::Tensor lm_head; // [V, D]; the same tensor as embed_tokens when tied
    RotaryEmbedding rope;

    // ids: [B, L] int64 (no sentinels) -> [B, L, D]
    at::Tensor embed(const at::Tensor& ids) const;
    // embeddings: [B, L, D] at positions [positionStart, positionStart + L) -> final-normed hidden [B, L, D].
    // With a cache, keys/values are appended and the cache length advances by L.
    at::Tensor forward(const at::Tensor& embeddings, int64_t positionStart, const AttentionMaskSpec& mask,
                       KvCache* cache, const ForwardOptions& options = {}) const;
    // hidden: [..., D] -> logits [..., V]
    at::Tensor logits(const at::Tensor& hidden) const;
    // Inference-only layout: stacked projections and RoPE tables in the model dtype (see
    // DecoderLayer::fuseForInference). Not for models that will be trained.
    void fuseForInference();
};

} // namespace vora::core
