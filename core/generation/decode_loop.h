#pragma once
// The decode loop shared by every way of running a decode step (eager on any device, or one CUDA graph
// replay per step): it reads tokens in order, applies the stop rules, and keeps up to `depth` tokens in
// flight, so on a GPU step t+1 is already queued while the host reads token t. A step queued past a stop
// is simply discarded: its keys/values lie beyond the length the caller keeps.
#include "core/generation/generation_settings.h"
#include "core/generation/generation_stats.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace vora::core {

class DecodeStepper {
public:
    virtual ~DecodeStepper() = default;
    // Queues one decode step: feeds the newest token at the next position and produces the next token.
    // Returns without waiting for the device where the device allows.
    virtual void enqueue() = 0;
    // The k-th token (k = 0: the one drawn from the prefill's logits), waiting for it when needed.
    virtual int64_t token(int64_t k) = 0;
};

// Suppresses the end-of-text ids while fewer than minNewTokens tokens exist (transformers' min_new_tokens).
class EosSuppression {
public:
    EosSuppression(const StopCriteria& stop, int64_t vocab, c10::Device device);
    // bool [V] for token k, or undefined when nothing is suppressed at k.
    at::Tensor forToken(int64_t k) const;
    const at::Tensor& mask() const { return m_mask; } // bool [V]: the eos ids (all false when none)
    int minNewTokens() const { return m_minNewTokens; }

private:
    at::Tensor m_mask;
    int m_minNewTokens = 0;
};

struct DecodeLoopRules {
    int maxNewTokens = 1;
    std::vector<int64_t> eosIds;
    std::function<bool(int64_t)> onToken;           // false: stop (StopReason::StopString)
    const std::atomic<bool>* stopRequested = nullptr; // checked before every token
    int depth = 1;                                    // tokens in flight beyond the one being read
};

struct DecodeLoopOutcome {
    std::vector<int64_t> tokens; // every token read, the one that stopped the loop included
    StopReason reason = StopReason::Length;
    // Tokens run through a decode step (tokens[0, fedTokens) when read): their keys/values are in the cache.
    // May exceed tokens.size() after a cancel; the cache keeps min(fedTokens, tokens kept).
    int64_t fedTokens = 0;
    double timeToFirstTokenMs = 0;
    double decodeTokensPerSecond = 0;
};

// started: when the request began (time to first token counts from it).
// A broken model (NaN weights, a config whose numbers are out of range) computes NaN or infinite logits;
// sampling from them would quietly return token 0 again and again. allFinite: bool scalar
// (at::isfinite(logits).all(), read here, so this waits for the device); throws Error(InvalidConfig) when
// false, `where` naming the position ("for the prompt").
void requireFiniteLogits(const at::Tensor& allFinite, const std::string& where);

DecodeLoopOutcome runDecodeLoop(DecodeStepper& stepper, const DecodeLoopRules& rules,
                                std::chrono::steady_clock::time_point started);

} // namespace vora::core
