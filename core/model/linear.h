#pragma once
// nn.Linear with an optional bias and an optional unmerged LoRA pair, as the VoRA reference
// builds it: y = x W^T + b + scale * (x A^T) B^T. VoRA's scale is 1.0 (no alpha/r); PEFT's is alpha/r.
// The LoRA tensors live next to the frozen weight so training can make them trainable.
#include <ATen/core/Tensor.h>

namespace vora::core {

struct Linear {
    at::Tensor weight; // [out, in]
    at::Tensor bias;   // [out] or undefined
    at::Tensor loraA;  // [r, in] or undefined
    at::Tensor loraB;  // [out, r] or undefined
    double loraScale = 1.0;

    bool hasLora() const { return loraA.defined(); }
    // x: [..., in] -> [..., out]
    at::Tensor forward(const at::Tensor& x) const;
    // W <- W + scale * B @ A computed in float32, then LoRA dropped. Throws Error(Internal) when the
    // result is not finite (a corrupt adapter must not silently poison the model).
    void mergeLora();
};

} // namespace vora::core
