#pragma once
// Attention rollout (Abnar and Zuidema, "Quantifying Attention Flow in Transformers", 2020) with the
// residual: each layer's head-mean attention A becomes A_hat = rownorm(0.5 * A + 0.5 * I), and the
// rolled-out matrix over layers a..b is R = A_hat_b * ... * A_hat_a. Row q of R says how much of
// position q's representation after layer b traces back to each input position. The definitions
// for generated tokens and prompt positions are in docs/attention-maps.md ("Rollout").
// Pure tensor math on the caller's device; no model here.
#include <ATen/core/Tensor.h>

namespace vora::core {

// headMean: [L, L] float32 attention probabilities of one layer (mean over heads), rows = queries.
// Returns rownorm(0.5 * headMean + 0.5 * I) [L, L] float32.
at::Tensor withResidual(const at::Tensor& headMean);

// Folds the next layer into the running product: returns withResidual(headMean) * rolled.
// rolled: [L, L] float32, or undefined for the first layer (the identity).
at::Tensor rollOneLayer(const at::Tensor& rolled, const at::Tensor& headMean);

} // namespace vora::core
