#pragma once
// nn.Linear with an optional bias and an optional unmerged LoRA pair, as the VoRA reference
// builds it: y = x W^T + b + scale * (x A^T) B^T. VoRA's scale is 1.0 (no alpha/r); PEFT's is alpha/r.
// The LoRA tensors live next to the frozen weight so training can make them trainable.
#include <ATen/core/Tensor.h>

namespace vora::core {

// x W^T + b. One row on the CPU (a decode step) goes through a matrix-vector product: LibTorch's
// general path reads a [1, in] x [in, out] product at about half the memory bandwidth that at::mv
// reaches on these weights (measured on the 2-core CI machine: lm_head of SmolLM2, 113 MB, 9.5 ms
// against 4.6 ms), and a decode step on the CPU is bound by reading the weights.
at::Tensor linearForward(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

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
