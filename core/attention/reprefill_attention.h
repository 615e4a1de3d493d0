#pragma once
// Attention that decoding never forms, computed on demand by one explicit re-prefill: the prompt
// plus the answer run through the model's explicit attention path (which returns every layer's
// probabilities), outside any decode budget. Gives
//  - rollout (attention_rollout.h) over a layer range, for every answer token (the row of the position
//    that predicted it) and for chosen prompt positions, cut to the image columns;
//  - the raw attention of chosen prompt positions (e.g. a word of the question) over the images, per
//    layer and head, like a generated token's.
// docs/attention-maps.md ("Rollout") defines the values. Plain data here, no torch; cache results with
// reprefill_cache.h. Thread: the caller's; the model is only read.
#include "core/attention/token_attention.h"
#include "core/generation/prompt_input.h"

#include <cstdint>
#include <vector>

namespace vora::core {

class VoraModel;

struct LayerRange {
    int first = 0;
    int last = -1; // inclusive; -1: the model's last layer

    bool operator==(const LayerRange&) const = default;
};

struct ReprefillRequest {
    PromptInput prompt;                   // what the answer was generated from (ids with sentinels, images)
    std::vector<int64_t> answerIds;       // the generated tokens, in order (may be empty)
    std::vector<int64_t> promptPositions; // positions of the expanded prompt whose own attention to report
    LayerRange rolloutLayers;

    bool operator==(const ReprefillRequest&) const = default;
};

struct ReprefillAttention {
    std::vector<ImageSpan> images;
    int64_t promptLength = 0;   // expanded positions; answer token t was predicted by position promptLength - 1 + t
    LayerRange rolloutLayers;   // resolved (last >= first)
    std::vector<ImageGrids> answerRollout;         // per answer token
    std::vector<ImageGrids> promptPositionRollout; // per requested prompt position
    std::vector<TokenAttention> promptPositions;   // per requested prompt position, detail Heads, every layer
};

// Throws Error(InvalidArgument) naming the problem: no images, a text-only model, a prompt position
// outside [0, prompt length), a layer range outside the model's layers.
ReprefillAttention reprefillAttention(const VoraModel& model, const ReprefillRequest& request);

} // namespace vora::core
