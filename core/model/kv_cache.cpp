#include "core/model/kv_cache.h"

#include "core/error.h"

#include <torch/torch.h>

namespace vora::core {

KvCache::KvCache(int numLayers, int64_t batch, int64_t numKvHeads, int64_t capacity, int64_t headDim,
                 c10::Device device, c10::ScalarType dtype)
    : m_capacity(capacity)
{
    const auto options = at::TensorOptions().device(device).dtype(dtype);
    for (int layer = 0; layer < numLayers; ++layer) {
        m_keys.push_back(at::zeros({batch, numKvHeads, capacity, headDim}, options));
        m_values.push_back(at::zeros({batch, numKvHeads, capacity, headDim}, options));
    }
}

std::pair<at::Tensor, at::Tensor> KvCache::append(int layer, const at::Tensor& k, const at::Tensor& v)
{
    const int64_t added = k.size(2);
    require(m_length + added <= m_capacity, ErrorCode::InvalidArgument,
            "KV cache full: " + std::to_string(m_length + added) + " positions, capacity " + std::to_string(m_capacity));
    at::Tensor& keys = m_keys[static_cast<size_t>(layer)];
    at::Tensor& values = m_values[static_cast<size_t>(layer)];
    keys.narrow(2, m_length, added).copy_(k);
    values.narrow(2, m_length, added).copy_(v);
    return {keys.narrow(2, 0, m_length + added), values.narrow(2, 0, m_length + added)};
}

void KvCache::commit(int64_t added)
{
    require(added >= 0 && m_length + added <= m_capacity, ErrorCode::Internal, "KV cache commit past its capacity");
    m_length += added;
}

void KvCache::truncate(int64_t length)
{
    require(length >= 0 && length <= m_length, ErrorCode::InvalidArgument, "KV cache truncate out of range");
    m_length = length;
}

void KvCache::reserve(int64_t capacity)
{
    if (capacity <= m_capacity) {
        return;
    }
    for (std::vector<at::Tensor>* storage : {&m_keys, &m_values}) {
        for (at::Tensor& layer : *storage) {
            auto sizes = layer.sizes().vec();
            sizes[2] = capacity;
            at::Tensor grown = at::zeros(sizes, layer.options());
            grown.narrow(2, 0, m_length).copy_(layer.narrow(2, 0, m_length));
            layer = grown;
        }
    }
    m_capacity = capacity;
}

int64_t KvCache::bytes() const
{
    int64_t total = 0;
    for (size_t i = 0; i < m_keys.size(); ++i) {
        total += m_keys[i].nbytes() + m_values[i].nbytes();
    }
    return total;
}

} // namespace vora::core
