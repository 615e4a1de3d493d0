#pragma once
// Decoding with one CUDA graph per decode step: token, position and step counter live in static device
// tensors, the KV cache is reached through a device pointer table (so one captured graph serves every
// session of the model), the sampling chain runs inside the graph, and each step's token is copied back to
// pinned memory asynchronously. Graphs are captured per sampling configuration (the chain's parameters are
// baked into the captured kernels) and kept for the model's lifetime.
// The same object also runs prefills with the fused kernels (prefill()), so a follow-up turn's few new
// tokens are not bound by the host issuing ~35 eager operations per layer.
// Implemented in core/cuda/ for CUDA builds; makeDecodeGraphs returns null when the build, the device or
// the model's shapes do not allow it (the reason goes to whyNot), and decoding and prefill stay eager.
// Thread: the one running the model.
#include "core/attention/image_attention.h"
#include "core/generation/decode_loop.h"
#include "core/generation/generation_settings.h"
#include "core/model/attention.h"

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>

namespace vora::core {

class AttentionObserver;
class KvCache;
class Sampler;
class VoraModel;

// Which matrix-vector product the decode step uses for its projections.
enum class DecodeGemv {
    Auto,   // the one measured faster on this device at load
    Cublas, // at::linear
    Vora,   // the project's own bandwidth-bound kernel (core/cuda/gemv.cu)
};

struct DecodeGraphOptions {
    DecodeGemv gemv = DecodeGemv::Auto;
    // Each kernel of the step may start while the one before it ends (programmatic dependent launch, on
    // compute capability 9.0 and later); off only to measure what it saves.
    bool overlapLaunches = true;
    // Prefills run with the fused kernels (DecodeGraphs::prefill); off only to measure what that saves.
    bool kernelPrefill = true;
};

// Attention capture inside the graph (docs/attention-maps.md): after every step, a kernel computes the
// probabilities that the step's query gave the image keys, for every layer, from the decode attention's row
// statistics, into rows that stay on the device (no host work per step).
struct DecodeAttentionCapture {
    std::vector<KeySpan> spans; // the image keys, in the order the patches are wanted
    bool perHead = false;       // every head, or the mean over heads
    // Set by start(): [maxNewTokens - 1 (at least 1), layers, perHead ? H : 1, patches] float32 on the model's
    // device. Row r is the query at position firstPosition + r, the one that predicted token r + 1; it is
    // written by the step that produced that token.
    at::Tensor rows;
    int64_t firstPosition = 0;
    // Set by the generator after decoding: rows holding a generated token's attention (tokens read - 1).
    int64_t rowsWritten = 0;
};

class DecodeGraphs {
public:
    virtual ~DecodeGraphs() = default;
    // Starts graph decoding after a prefill. firstToken: [1] int64 on the device (token 0); the cache holds
    // every position before it and must have room for maxNewTokens more. The sampler provides the seen-token
    // mask and the uniforms of tokens 1..maxNewTokens-1; the stepper must not outlive cache or sampler.
    // capture (may be null): also capture attention after every step; it must outlive the stepper, and
    // whyNoCapture(*capture, maxNewTokens) must be empty.
    virtual std::unique_ptr<DecodeStepper> start(KvCache& cache, Sampler& sampler, const EosSuppression& suppression,
                                                 const at::Tensor& firstToken, int maxNewTokens,
                                                 DecodeAttentionCapture* capture = nullptr) = 0;
    // The prefill of a chunk with the fused kernels (core/cuda/chunk_prefill.h): embeddings [1, L, hidden] at
    // positions [cache.length(), + L) under mask; the cache must have room and is committed. Returns float32
    // logits, [L, V] when allRows, else [1, V] of the last row. Equal to the eager forward's up to the norm's
    // order of sums. observer (may be null) gets what the eager fused path hands over: the chunk's last row
    // for each layer it wants (AttentionObserver::onQueryRow), so recorded turns prefill on the kernels too.
    virtual at::Tensor prefill(KvCache& cache, const at::Tensor& embeddings, const AttentionMaskSpec& mask,
                               bool allRows, AttentionObserver* observer = nullptr) = 0;
    // Whether generation should prefill through prefill() (DecodeGraphOptions::kernelPrefill).
    virtual bool prefillsOnKernels() const = 0;
    // "" when start() can capture this (the model's heads, the number of spans, the rows' size).
    virtual std::string whyNoCapture(const DecodeAttentionCapture& capture, int maxNewTokens) const = 0;
    // Captures the graphs for these sampling parameters now (warm-up), with and without the head-mean attention
    // capture (the app's default detail), so the first answer does not.
    virtual void prepare(const SamplingParams& sampling) = 0;
    // For statistics and benchmarks, e.g. "cuda-graph/vora-gemv".
    virtual std::string description() const = 0;
};

std::unique_ptr<DecodeGraphs> makeDecodeGraphs(const VoraModel& model, const DecodeGraphOptions& options,
                                               std::string* whyNot = nullptr);

} // namespace vora::core
