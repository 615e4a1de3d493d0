#pragma once
// The sampling chain, in transformers' order: repetition penalty, suppressed ids, then temperature,
// top-k, top-p, min-p, then a draw (or argmax when greedy). The whole chain runs on the logits' device
// with tensor operations only: no host synchronisation, so the CUDA decode graph captures it as is.
// Tested against transformers' logits processors in tests/core/test_sampler.cpp.
//
// The draw is an inverse-CDF lookup: the survivors are sorted by descending probability and the token is
// the first whose cumulative probability exceeds u x total, u the next uniform of a seeded CPU stream
// (one uniform per sampled token, none for greedy). So a seed gives the same token for the same logits,
// eagerly or inside the graph (which reads the same uniforms, uploaded ahead); across devices the token
// can differ only where rounding of the cumulative sum moves a boundary past u.
#include "core/generation/generation_settings.h"

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <vector>

namespace vora::core {

// What a draw chooses from: the candidate tokens, most likely first, and their probabilities after
// the whole chain (0 for those top-p or min-p removed; they sum to 1).
struct TokenDistribution {
    at::Tensor ids;           // [N] int64, CPU
    at::Tensor probabilities; // [N] float32, CPU
};

// One draw. logits: [V] float32; seen: bool [V] (tokens the repetition penalty applies to) or undefined
// when the penalty is off; uniform: [1] float64 on the logits' device (ignored when greedy); suppressed:
// bool [V] ids never to draw, or undefined. Returns [1] int64 on the logits' device and marks the token
// in seen. Never waits for the device.
at::Tensor drawToken(const SamplingParams& params, const at::Tensor& logits, const at::Tensor& seen,
                     const at::Tensor& uniform, const at::Tensor& suppressed);

class Sampler {
public:
    // Throws Error(InvalidArgument) when params are out of range (validateSampling).
    explicit Sampler(const SamplingParams& params);

    const SamplingParams& params() const { return m_params; }
    // Tokens the repetition penalty applies to (prompt text ids); later draws are added as they happen.
    void setHistory(const std::vector<int64_t>& tokens);
    // What the next draw chooses from (waits for the device). logits: [V] float32 (any device);
    // suppressed: ids never to draw (eos before min_new_tokens). Greedy: the argmax alone, probability 1.
    TokenDistribution distribution(const at::Tensor& logits, const std::vector<int64_t>& suppressed = {});
    // Draws the next token from distribution() and waits for it.
    int64_t next(const at::Tensor& logits, const std::vector<int64_t>& suppressed = {});
    // Draws the next token without waiting: [1] int64 on the logits' device. suppressed: bool [V] or undefined.
    at::Tensor draw(const at::Tensor& logits, const at::Tensor& suppressed = {});
    // The penalty's seen-token mask (bool [V] on device, built from the history on first use; undefined
    // when the penalty is off). draw() updates it in place.
    at::Tensor seenMask(int64_t vocab, c10::Device device);
    // The next count uniforms of the seeded stream (float64, CPU), consumed as count draws would.
    at::Tensor takeUniforms(int64_t count);

private:
    double nextUniform();
    at::Tensor suppressionMask(const at::Tensor& logits, const std::vector<int64_t>& suppressed) const;

    SamplingParams m_params;
    at::Generator m_generator;
    std::vector<int64_t> m_history; // prompt tokens, for building the mask
    at::Tensor m_seenMask;
};

} // namespace vora::core
