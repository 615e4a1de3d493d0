#pragma once
// One conversation's KV cache and the positions it holds, so each turn prefills only what the cache does
// not have yet. Callers pass the whole conversation every turn (the chat template's ids, answers as the ids
// that were generated, never re-tokenised text); the session finds the longest prefix its cache already
// holds (text ids compared by id, images by pixel content), drops the rest (regenerate and edit therefore
// truncate to the common prefix by themselves), prefills the remainder and generates.
//
// The cache grows with the conversation in steps of kGrowthStep positions, up to the model's context. A
// conversation whose prompt fills the context is refused with Error(InvalidArgument) naming the sizes;
// the caller decides what to drop (`vora chat` drops the oldest turns and prefills again).
// Thread: one at a time (the caller's); the model outlives the session.
#include "core/generation/generator.h"
#include "core/generation/prompt_input.h"

#include <memory>
#include <vector>

namespace vora::core {

class DecodeGraphs;
class KvCache;
class VoraModel;

class ChatSession {
public:
    static constexpr int64_t kGrowthStep = 256;

    // graphs: the model's CUDA decode graphs, or null for eager decoding.
    explicit ChatSession(const VoraModel& model, DecodeGraphs* graphs = nullptr);
    ~ChatSession();
    ChatSession(const ChatSession&) = delete;
    ChatSession& operator=(const ChatSession&) = delete;

    // prompt: the conversation so far, ending where the answer starts. output.prefilledTokens says how many
    // positions ran through the prefill; output.prefillLogits (keepPrefillLogits) covers those positions.
    GenerationOutput generate(const PromptInput& prompt, const SamplingParams& sampling, const StopCriteria& stop,
                              const GenerationHooks& hooks = {});
    // Keeps only the first `positions` cached positions (e.g. an answer cut inside a token by a stop string).
    void truncate(int64_t positions);
    // Drops the cache and its memory.
    void reset();
    // false: every turn prefills from scratch (same tokens, for comparison).
    void setReuse(bool reuse) { m_reuse = reuse; }

    int64_t cachedPositions() const;
    int64_t cacheBytes() const;

private:
    int64_t reusablePrefix(const std::vector<uint64_t>& keys, const std::vector<uint8_t>& isImage) const;

    const VoraModel& m_model;
    DecodeGraphs* m_graphs = nullptr;
    std::unique_ptr<KvCache> m_cache;
    std::vector<uint64_t> m_keys; // what each cached position holds (AssembledSequence::positionKeys)
    bool m_reuse = true;
};

} // namespace vora::core
