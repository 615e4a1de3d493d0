#pragma once
// Rotary position embedding (rotate-half layout, as HF Qwen2/LLaMA), with linear and llama3
// frequency scaling. cos/sin are tabulated once in float32 for every position up to maxPositions.
#include "core/model/model_config.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace vora::core {

class RotaryEmbedding {
public:
    RotaryEmbedding() = default;
    RotaryEmbedding(const ModelConfig& config, int64_t maxPositions, c10::Device device);

    // q: [B, H, L, Dh], k: [B, KvH, L, Dh] at positions [start, start + L). Returns the rotated pair
    // in the inputs' dtype, computing as HF does (tables cast to q's dtype).
    std::pair<at::Tensor, at::Tensor> apply(const at::Tensor& q, const at::Tensor& k, int64_t start) const;
    // x: [B, L, N, Dh] (heads after positions, as a fused projection lays them out), rotated in place
    // of a copy; the tables are cast to x's dtype once and cached.
    at::Tensor applyToHeads(const at::Tensor& x, int64_t start) const;
    // The whole cos and sin tables ([maxPositions, Dh], contiguous) in dtype, as apply() uses them.
    std::pair<at::Tensor, at::Tensor> tables(c10::ScalarType dtype) const { return rows(0, m_maxPositions, dtype); }
    // Caches the tables in the model's dtype (called once after loading).
    void castTables(c10::ScalarType dtype);
    int64_t maxPositions() const { return m_maxPositions; }

private:
    // cos/sin rows [start, start + length) in dtype ([length, Dh]); throws past the context.
    std::pair<at::Tensor, at::Tensor> rows(int64_t start, int64_t length, c10::ScalarType dtype) const;

    at::Tensor m_cos; // [maxPositions, Dh] float32
    at::Tensor m_sin;
    at::Tensor m_cosCast; // [maxPositions, Dh] in the model dtype (castTables)
    at::Tensor m_sinCast;
    int64_t m_maxPositions = 0;
};

} // namespace vora::core
