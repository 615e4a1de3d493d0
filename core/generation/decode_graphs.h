#pragma once
// Decoding with one CUDA graph per decode step: token, position and step counter live in static device
// tensors, the KV cache is reached through a device pointer table (so one captured graph serves every
// session of the model), the sampling chain runs inside the graph, and each step's token is copied back to
// pinned memory asynchronously. Graphs are captured per sampling configuration (the chain's parameters are
// baked into the captured kernels) and kept for the model's lifetime.
// Implemented in core/cuda/ for CUDA builds; makeDecodeGraphs returns null when the build, the device or
// the model's shapes do not allow it (the reason goes to whyNot), and decoding stays eager.
// Thread: the one running the model.
#include "core/generation/decode_loop.h"
#include "core/generation/generation_settings.h"

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>

namespace vora::core {

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
};

class DecodeGraphs {
public:
    virtual ~DecodeGraphs() = default;
    // Starts graph decoding after a prefill. firstToken: [1] int64 on the device (token 0); the cache holds
    // every position before it and must have room for maxNewTokens more. The sampler provides the seen-token
    // mask and the uniforms of tokens 1..maxNewTokens-1; the stepper must not outlive cache or sampler.
    virtual std::unique_ptr<DecodeStepper> start(KvCache& cache, Sampler& sampler, const EosSuppression& suppression,
                                                 const at::Tensor& firstToken, int maxNewTokens) = 0;
    // Captures the graph for these sampling parameters now (warm-up), so the first answer does not.
    virtual void prepare(const SamplingParams& sampling) = 0;
    // For statistics and benchmarks, e.g. "cuda-graph/vora-gemv".
    virtual std::string description() const = 0;
};

std::unique_ptr<DecodeGraphs> makeDecodeGraphs(const VoraModel& model, const DecodeGraphOptions& options,
                                               std::string* whyNot = nullptr);

} // namespace vora::core
