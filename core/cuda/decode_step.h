#pragma once
// The forward pass of one decode token through the whole decoder with the decode kernels
// (core/cuda/decode_kernels.h) and the model's weights, on static buffers: nothing is allocated and nothing
// waits for the host, so the pass can be captured in a CUDA graph. Inputs are the device tensors token and
// position; the KV cache is reached through cacheTable (bind() points it at a cache).
//
// Attention capture (docs/attention-maps.md): after each step, queries[l] holds layer l's query heads (RoPE
// applied, not scaled) and rowMax[l] / rowSum[l] the decode attention kernel's softmax statistics of each
// head's WHOLE row (every cached key up to and including the step's position), so
//   probability(l, h, key j) = exp(q_h . k_j / sqrt(Dh) - rowMax[l, h]) / rowSum[l, h]
// for any key span of the cache; captureImageAttention() enqueues the kernel that computes exactly that for
// the image keys named in captureTable (core/cuda/decode_kernels.h), inside the captured graph.
#include "core/generation/decode_graphs.h"

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace vora::core {

class KvCache;
class VoraModel;
struct Linear;

class DecodeStep {
public:
    // Throws Error(InvalidArgument) naming the reason when the model cannot run this way (whyNot()).
    // overlapLaunches: let each kernel start while the previous one ends (programmatic dependent launch,
    // used where the device has compute capability 9.0 or later); the results are the same bits.
    DecodeStep(const VoraModel& model, DecodeGemv gemv, bool overlapLaunches = true);
    // "" when the model's shapes, dtype and layout allow the decode kernels.
    static std::string whyNot(const VoraModel& model);

    // Points the cache table at cache's storage (an asynchronous copy; graphs keep working).
    void bind(const KvCache& cache);
    // Enqueues the forward pass of `token` at `position` on the current stream: logits ([V] float32) hold
    // the result; the cache row at position is written. Does not advance token or position.
    void run();
    // Enqueues the attention capture of the step run() enqueued, as captureTable says (every layer; each head
    // or the head mean). Only when captureSupported().
    void captureImageAttention(bool perHead);
    bool captureSupported() const;
    // Which product each weight shape uses (cuBLAS or which variant of the own kernel), after the
    // measurement at construction, and whether launches overlap.
    std::string gemvDescription() const;

    at::Tensor token;      // [1] int64
    at::Tensor position;   // [1] int64: the fed token's position (= positions already cached)
    at::Tensor cacheTable; // [2 * layers + 1] int64
    at::Tensor logits;     // [V] float32
    at::Tensor queries;    // [layers, H * Dh]
    at::Tensor rowMax;     // [layers, H] float32
    at::Tensor rowSum;     // [layers, H] float32
    at::Tensor captureTable; // [cuda::attentionCaptureTableEntries()] int64: output 0 (capture nothing) at first

private:
    void project(const Linear& linear, const at::Tensor& x, const at::Tensor& y);
    void chooseGemv(DecodeGemv gemv);
    int gemvVariantFor(int64_t n, int64_t k) const;

    const VoraModel& m_model;
    std::vector<std::pair<std::pair<int64_t, int64_t>, int>> m_gemvChoices; // (n, k) -> own variant, or -1: cuBLAS
    at::Tensor m_cos, m_sin;
    at::Tensor m_residual, m_normed, m_qkv, m_attended, m_attentionOut, m_gateUp, m_activated, m_down, m_vocab;
    at::Tensor m_workspace;
    int m_splits = 1;
    int m_captureBlocks = 1;
    bool m_overlap = false;
};

} // namespace vora::core
