#pragma once
// Per-layer key/value storage allocated once for the maximum sequence length; decode steps
// write in place (no reallocation, fixed addresses: nothing here stands in the way of CUDA graphs).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <vector>

namespace vora::core {

class KvCache {
public:
    KvCache(int numLayers, int64_t batch, int64_t numKvHeads, int64_t maxLength, int64_t headDim, c10::Device device,
            c10::ScalarType dtype);

    int64_t length() const { return m_length; }
    int64_t capacity() const { return m_capacity; }
    // Stores k/v ([B, KvH, L, Dh]) at positions [length, length + L) of layer and returns views of
    // all keys/values so far ([B, KvH, length + L, Dh]). The length advances with commit().
    std::pair<at::Tensor, at::Tensor> append(int layer, const at::Tensor& k, const at::Tensor& v);
    void commit(int64_t added) { m_length += added; }
    void truncate(int64_t length);
    int64_t bytes() const;

private:
    std::vector<at::Tensor> m_keys;
    std::vector<at::Tensor> m_values;
    int64_t m_length = 0;
    int64_t m_capacity = 0;
};

} // namespace vora::core
