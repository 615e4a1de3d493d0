#pragma once
// Receives the attention of chosen layers, on the thread running the forward pass. The explicit
// path hands over its probabilities; the fused path never forms them and instead hands over what
// core/attention/image_attention.h needs to compute any row's entries: the query, the keys and,
// when the kernel reports it, the row's log-sum-exp.
#include <ATen/core/Tensor.h>

namespace vora::core {

class AttentionObserver {
public:
    virtual ~AttentionObserver() = default;
    virtual bool wantsLayer(int layer) const = 0;
    // Explicit path. probabilities: [B, H, Lq, Lk] float32, rows for query positions
    // [queryStart, queryStart + Lq), columns for key positions [0, Lk).
    virtual void onAttention(int layer, const at::Tensor& probabilities, int64_t queryStart) = 0;
    // Fused path, once per forward pass: the LAST query row only (the one that predicts the next
    // token), which may attend to every key. query: [H, Dh]; keys: [KvH, Lk, Dh] (batch 0);
    // rowLogSumExp: [H] or undefined when the kernel did not report it.
    virtual void onQueryRow(int /*layer*/, const at::Tensor& /*query*/, const at::Tensor& /*keys*/,
                            const at::Tensor& /*rowLogSumExp*/, int64_t /*queryPosition*/)
    {
    }
    // After the last layer of a forward pass (also one that handed nothing over). The query rows handed to
    // onQueryRow may live in buffers the next layer reuses; the keys stay as they were until this call.
    virtual void onForwardEnd() {}
};

} // namespace vora::core
