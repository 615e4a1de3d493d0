#pragma once
// Per-layer key/value storage allocated for a capacity of positions; decode steps write in place (no
// reallocation, fixed addresses: the CUDA decode graph reads the storage through a pointer table).
// reserve() grows the storage for a longer conversation, moving it.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <vector>

namespace vora::core {

class KvCache {
public:
    KvCache(int numLayers, int64_t batch, int64_t numKvHeads, int64_t capacity, int64_t headDim, c10::Device device,
            c10::ScalarType dtype);

    int64_t length() const { return m_length; }
    int64_t capacity() const { return m_capacity; }
    int numLayers() const { return static_cast<int>(m_keys.size()); }
    // Stores k/v ([B, KvH, L, Dh]) at positions [length, length + L) of layer and returns views of
    // all keys/values so far ([B, KvH, length + L, Dh]). The length advances with commit().
    std::pair<at::Tensor, at::Tensor> append(int layer, const at::Tensor& k, const at::Tensor& v);
    void commit(int64_t added);
    void truncate(int64_t length);
    // Grows the capacity to at least `capacity` positions, keeping the cached ones (the storage moves).
    void reserve(int64_t capacity);
    // The whole storage of a layer: [B, KvH, capacity, Dh].
    const at::Tensor& keys(int layer) const { return m_keys[static_cast<size_t>(layer)]; }
    const at::Tensor& values(int layer) const { return m_values[static_cast<size_t>(layer)]; }
    int64_t bytes() const;

private:
    std::vector<at::Tensor> m_keys;
    std::vector<at::Tensor> m_values;
    int64_t m_length = 0;
    int64_t m_capacity = 0;
};

} // namespace vora::core
