#pragma once
// The sampling chain, in transformers' order: repetition penalty, then temperature, top-k, top-p,
// min-p, then a draw (or argmax when greedy). Top-k runs on the logits' device; the rest runs on
// the k survivors (or the whole vocabulary when top-k is off) on the CPU with a seeded generator,
// so a seed gives the same draw on every device for the same logits. Tested against transformers'
// logits processors in tests/core/test_sampler.cpp.
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

class Sampler {
public:
    // Throws Error(InvalidArgument) when params are out of range (validateSampling).
    explicit Sampler(const SamplingParams& params);

    // Tokens the repetition penalty applies to (prompt text ids); later draws are added by next().
    void setHistory(const std::vector<int64_t>& tokens);
    // logits: [V] float32 (any device). suppressed: ids never to draw (eos before min_new_tokens).
    // Greedy: the argmax alone, with probability 1.
    TokenDistribution distribution(const at::Tensor& logits, const std::vector<int64_t>& suppressed = {});
    // Draws from distribution() and remembers the token for the repetition penalty.
    int64_t next(const at::Tensor& logits, const std::vector<int64_t>& suppressed = {});

private:
    at::Tensor penalised(const at::Tensor& logits);
    void remember(int64_t token);

    SamplingParams m_params;
    at::Generator m_generator;
    std::vector<int64_t> m_history;  // distinct tokens, for building the mask
    at::Tensor m_seenMask;           // [V] bool on the logits' device, built on first use, then updated in place
};

} // namespace vora::core
