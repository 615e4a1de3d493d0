#pragma once
// How many new tokens an answer may have once the prompt is in the context: the requested budget, or
// what the model's context has left when that is less. Defaults (a generation_config.json's
// max_new_tokens, the app's 512) must never make a short prompt fail on a small model, so a budget
// that does not fit is clamped and the caller says so; only a prompt that leaves no room for a single
// new token is an error. Plain C++, any thread.
#include "core/generation/generation_settings.h"

#include <cstdint>
#include <string>

namespace vora::core {

struct TokenBudget {
    int64_t promptTokens = 0;   // positions the prompt occupies, images expanded
    int64_t contextTokens = 0;  // the model's context (its KV cache capacity)
    int requestedNewTokens = 0; // the setting
    int newTokens = 0;          // what this answer may produce: min(requested, context - prompt)

    bool clamped() const { return newTokens < requestedNewTokens; }
    bool operator==(const TokenBudget&) const = default;
};

// Throws Error(InvalidArgument) naming both sizes when the prompt leaves no room for one new token,
// and when requestedNewTokens < 1 or contextTokens < 1 (callers validate settings first).
TokenBudget fitTokenBudget(int64_t promptTokens, int64_t contextTokens, int requestedNewTokens);

// stop with the budget applied: maxNewTokens = newTokens, minNewTokens capped to it.
StopCriteria withTokenBudget(StopCriteria stop, const TokenBudget& budget);

// One sentence for a clamped budget, e.g. "at most 466 new tokens instead of 512: the prompt takes 46
// of the model's 512-token context".
std::string describeClampedBudget(const TokenBudget& budget);

} // namespace vora::core
