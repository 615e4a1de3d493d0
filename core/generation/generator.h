#pragma once
// Token-level generation: one prefill over the assembled prompt (image blocks bidirectional), then
// KV-cache decode steps until eos, the token budget, a hook's refusal, or the stop token.
// The cache is allocated once for prompt + max new tokens. Thread: the caller's; the model is
// read-only, so one model may serve several generate() calls one after another (not concurrently).
#include "core/generation/generation_settings.h"
#include "core/generation/generation_stats.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/decoder_layer.h"

#include <ATen/core/Tensor.h>

#include <atomic>
#include <functional>
#include <vector>

namespace vora::core {

class AttentionObserver;
class VoraModel;

struct GenerationHooks {
    // Called for every drawn token (eos included) after it is drawn; return false to stop
    // (StopReason::StopString).
    std::function<bool(int64_t token)> onToken;
    // Called with the logits ([V] float32, on the model's device) each token is drawn from.
    std::function<void(const at::Tensor& logits)> onStepLogits;
    // Checked before every step; set from any thread.
    const std::atomic<bool>* stopRequested = nullptr;
    AttentionImpl attention = AttentionImpl::Fused;
    AttentionObserver* observer = nullptr;
    bool keepPrefillLogits = false;
};

struct GenerationOutput {
    std::vector<int64_t> tokens; // generated ids (a final eos included)
    GenerationStats stats;       // the stop reason included
    at::Tensor prefillLogits; // [L, V] float32 on CPU when keepPrefillLogits
};

// Logits of one forward pass over the whole prompt (no cache); [L, V] float32 on CPU.
at::Tensor promptLogits(const VoraModel& model, const AssembledSequence& sequence, AttentionImpl attention,
                        AttentionObserver* observer = nullptr);

GenerationOutput generate(const VoraModel& model, const AssembledSequence& sequence, const SamplingParams& sampling,
                          const StopCriteria& stop, const GenerationHooks& hooks = {});

} // namespace vora::core
