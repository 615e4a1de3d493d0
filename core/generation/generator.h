#pragma once
// Token-level generation: a prefill of the positions the KV cache does not hold yet (image blocks
// non-causal, no mask tensor), then decode steps until eos, the token budget, a hook's refusal, or the
// stop token. Decode steps run as CUDA graph replays when DecodeGraphs are given and nothing needs the
// eager path (an attention observer, explicit attention, per-step logits), else op by op.
// Thread: the caller's; the model is read-only, so one model may serve several generations one after
// another (not concurrently).
#include "core/generation/generation_settings.h"
#include "core/generation/generation_stats.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/attention.h"

#include <ATen/core/Tensor.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace vora::core {

class AttentionObserver;
class DecodeGraphs;
struct DecodeAttentionCapture;
class KvCache;
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
    // With an observer and CUDA decode graphs: the decode steps' image attention is captured inside the graph
    // into decodeCapture's rows (core/generation/decode_graphs.h) and the observer sees the prefill only;
    // without it (or where the graphs cannot capture it) decoding is eager and the observer sees every step.
    // Its rows are cleared at the start and rowsWritten set at the end of every generation.
    DecodeAttentionCapture* decodeCapture = nullptr;
    bool keepPrefillLogits = false;
    // Decode steps queued ahead of the token being read: 0 picks 2 on CUDA (the host reads token t while
    // step t+1 runs) and 1 on the CPU (no wasted step at a stop).
    int stepsInFlight = 0;
};

struct GenerationOutput {
    std::vector<int64_t> tokens; // generated ids (a final eos included)
    GenerationStats stats;        // the stop reason included
    at::Tensor prefillLogits;     // [prefilled, V] float32 on CPU when keepPrefillLogits
    int64_t prefilledTokens = 0;  // positions run through the prefill (the rest came from the cache)
    int64_t fedTokens = 0;        // generated tokens whose keys/values were written to the cache
    std::string decodePath;       // "eager" or the graph decoder's description
    std::string prefillPath;      // "eager" or "cuda-kernels" (DecodeGraphs::prefill)
};

// Logits of one forward pass over the whole prompt (no cache); [L, V] float32 on CPU. With graphs that
// prefill on their kernels (and fused attention), through DecodeGraphs::prefill: the logits a generation's
// prefill computes there; an observer gets the last row there as on the eager fused path.
at::Tensor promptLogits(const VoraModel& model, const AssembledSequence& sequence, AttentionImpl attention,
                        AttentionObserver* observer = nullptr, DecodeGraphs* graphs = nullptr);

// Prefills positions [cache.length(), L) of sequence (embedded from cache.length()) and decodes. The cache
// grows to fit the prompt and the token budget; afterwards it holds the prompt and output.fedTokens tokens.
// Throws Error(InvalidArgument) when prompt + max new tokens exceed the model's context.
GenerationOutput generateWithCache(const VoraModel& model, KvCache& cache, const AssembledSequence& sequence,
                                   const SamplingParams& sampling, const StopCriteria& stop,
                                   const GenerationHooks& hooks = {}, DecodeGraphs* graphs = nullptr);

// One generation from an empty cache (sequence embedded from position 0).
GenerationOutput generate(const VoraModel& model, const AssembledSequence& sequence, const SamplingParams& sampling,
                          const StopCriteria& stop, const GenerationHooks& hooks = {}, DecodeGraphs* graphs = nullptr);

} // namespace vora::core
