#pragma once
// Receives the attention probabilities of chosen layers (the explicit attention path computes
// them; the fused path never materialises them). Called on the thread running the forward pass.
#include <ATen/core/Tensor.h>

namespace vora::core {

class AttentionObserver {
public:
    virtual ~AttentionObserver() = default;
    virtual bool wantsLayer(int layer) const = 0;
    // probabilities: [B, H, Lq, Lk] float32, rows for query positions [queryStart, queryStart + Lq),
    // columns for key positions [0, Lk).
    virtual void onAttention(int layer, const at::Tensor& probabilities, int64_t queryStart) = 0;
};

} // namespace vora::core
