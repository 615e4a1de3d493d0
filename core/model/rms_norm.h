#pragma once
// RMSNorm as HF's Qwen2RMSNorm / LlamaRMSNorm: normalise in float32, cast back, scale by weight.
#include <ATen/core/Tensor.h>

namespace vora::core {

struct RmsNorm {
    at::Tensor weight; // [D]
    double eps = 1e-6;

    // x: [..., D] -> [..., D] in x's dtype
    at::Tensor forward(const at::Tensor& x) const;
};

} // namespace vora::core
