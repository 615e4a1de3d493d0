#pragma once
// The prefill of a chunk of tokens (a whole prompt, or a follow-up turn's new tokens after the cached
// conversation) on CUDA with one fused launch per layer for each of: residual add + RMSNorm, RoPE + KV-cache
// write and SwiGLU, over all of the chunk's rows (the decode kernels of core/cuda/decode_kernels.h with a row
// count); cuBLAS for the projections (the call eager at::linear makes) and the mask-free fused attention of
// core/model/attention.h. About 10 launches per layer instead of the eager forward's ~35, so a short
// follow-up turn is no longer bound by how fast the host issues operations, and a long prompt makes fewer
// passes over its activations. Results equal the eager forward's (DecoderModel::forward) up to the norm's
// order of sums: the same rounding points everywhere else.
// Thread: the one running the model.
#include <ATen/core/Tensor.h>

namespace vora::core {

class AttentionObserver;
class KvCache;
class VoraModel;
struct AttentionMaskSpec;

class ChunkPrefill {
public:
    // The model must pass DecodeStep::whyNot (CUDA, stacked merged projections, supported shapes).
    explicit ChunkPrefill(const VoraModel& model);

    // embeddings: [1, L, hidden] on the model's device, the positions [cache.length(), cache.length() + L);
    // mask: the chunk's attention (buildAttentionMask). Writes the chunk's keys and values into the cache
    // (which must have room) and commits them. Returns float32 logits: [L, V] when allRows, else [1, V] of
    // the last row. observer (may be null): each layer it wants gets the chunk's last row as the eager fused
    // path hands it over (AttentionObserver::onQueryRow: the row's query and the layer's cached keys).
    at::Tensor run(KvCache& cache, const at::Tensor& embeddings, const AttentionMaskSpec& mask, bool allRows,
                   AttentionObserver* observer = nullptr);

private:
    const VoraModel& m_model;
    at::Tensor m_cos, m_sin;   // [maxPositions, Dh] in the model's dtype
    at::Tensor m_cacheTable;   // [2 * layers + 1] int64 on the device
    at::Tensor m_position;     // [1] int64 on the device: the chunk's first position
};

} // namespace vora::core
