#pragma once
// Between LibTorch and the plain-pointer kernel launchers (core/cuda/decode_kernels.h): the element type of
// a dtype, the current stream, launch statuses turned into errors, the KV cache pointer table and its copy
// to the device, and the cuBLAS product into a given output that the kernels' neighbours use.
#include "core/cuda/decode_kernels.h"
#include "core/error.h"
#include "core/model/kv_cache.h"
#include "core/model/linear.h"

#include <ATen/cuda/CUDAContext.h>
#include <c10/core/ScalarType.h>
#include <torch/torch.h>

#include <algorithm>
#include <string>
#include <vector>

namespace vora::core::cuda {

inline ElementType elementTypeOf(c10::ScalarType type)
{
    switch (type) {
    case at::kBFloat16: return ElementType::BFloat16;
    case at::kHalf: return ElementType::Float16;
    default: return ElementType::Float32;
    }
}

// The current device's current stream, where at:: ops run and the launchers are told to launch.
inline cudaStream_t currentStream() { return at::cuda::getCurrentCUDAStream().stream(); }

// Throws Error(Internal) naming what failed when a launch did.
inline void requireLaunched(cudaError_t status, const std::string& what)
{
    require(status == cudaSuccess, ErrorCode::Internal, "CUDA kernel launch (" + what + "): " + cudaGetErrorString(status));
}

// The entries of the KV cache pointer table (core/cuda/decode_kernels.h) for cache, after checking that its
// storage is what the kernels read (contiguous, batch 1, on device, of dtype).
inline std::vector<int64_t> cacheTableEntries(const KvCache& cache, c10::Device device, c10::ScalarType dtype)
{
    std::vector<int64_t> entries;
    for (int layer = 0; layer < cache.numLayers(); ++layer) {
        for (const at::Tensor* storage : {&cache.keys(layer), &cache.values(layer)}) {
            require(storage->is_contiguous() && storage->size(0) == 1 && storage->device() == device
                        && storage->scalar_type() == dtype,
                    ErrorCode::Internal, "KV cache layout the decode kernels cannot read");
            entries.push_back(reinterpret_cast<int64_t>(storage->data_ptr()));
        }
    }
    entries.push_back(cache.capacity());
    return entries;
}

// Points table (a [2 * layers + 1] int64 device tensor) at cache, queued on the current stream. The entries
// go through pinned memory: a copy from pageable memory would first wait for all the stream's queued work.
inline void writeCacheTable(at::Tensor& table, const KvCache& cache, c10::Device device, c10::ScalarType dtype)
{
    const std::vector<int64_t> entries = cacheTableEntries(cache, device, dtype);
    require(table.numel() == static_cast<int64_t>(entries.size()), ErrorCode::Internal, "KV cache table of another model");
    at::Tensor staged = at::empty({table.numel()}, at::TensorOptions().dtype(at::kLong).pinned_memory(true));
    std::copy(entries.begin(), entries.end(), staged.data_ptr<int64_t>());
    table.copy_(staged, /*non_blocking=*/true); // the pinned block is not reused before the copy is done
}

// y = x W^T (+ b) into y ([rows, out]), through the cuBLAS call eager at::linear makes for a 2-D input.
inline void linearInto(const Linear& linear, const at::Tensor& x, at::Tensor& y)
{
    if (linear.bias.defined()) {
        at::addmm_out(y, linear.bias, x, linear.weight.t());
    } else {
        at::mm_out(y, x, linear.weight.t());
    }
}

} // namespace vora::core::cuda
