// SwiGLU of each row (core/cuda/decode_kernels.h): silu(gate) rounded as at::silu rounds it, times up,
// rounded as at::mul rounds it (swiGluElement, core/cuda/element_math.cuh). Each thread takes one 16-byte
// vector of the gate, the up and the output where the row's length and the pointers allow (a prefill chunk
// moves 10^8 elements per layer: element-wise 2-byte accesses ran at a third of the memory bandwidth), else
// one element.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

namespace vora::core::cuda {
namespace {

template <typename T, int kPerThread>
__global__ void swiGluKernel(const T* gateUp, T* out, int intermediate)
{
    static_assert(kPerThread == 1 || kPerThread == Vec16<T>::kCount, "one element or one 16-byte vector");
    startDependents();
    waitForPrerequisites();
    const int i = (blockIdx.y * blockDim.x + threadIdx.x) * kPerThread;
    if (i >= intermediate) {
        return;
    }
    gateUp += static_cast<int64_t>(blockIdx.x) * 2 * intermediate; // row blockIdx.x: [gate, up] in, [activated] out
    out += static_cast<int64_t>(blockIdx.x) * intermediate;
    float gate[kPerThread];
    float up[kPerThread];
    loadElements<T, kPerThread>(gateUp + i, gate);
    loadElements<T, kPerThread>(gateUp + intermediate + i, up);
    float result[kPerThread];
#pragma unroll
    for (int e = 0; e < kPerThread; ++e) {
        result[e] = swiGluElement<T>(gate[e], up[e]);
    }
    storeElements<T, kPerThread>(out + i, result);
}

} // namespace

cudaError_t launchSwiGlu(ElementType type, const void* gateUp, void* out, int intermediate, const Launch& launch,
                         int rows)
{
    if (intermediate < 1 || rows < 1) {
        return cudaErrorInvalidValue;
    }
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        constexpr int threads = 256;
        constexpr int vector = Vec16<T>::kCount;
        // Every row's gate, up and output start on a 16-byte boundary when the row length is a whole number
        // of vectors and the first row's do.
        if (intermediate % vector == 0 && aligned16(gateUp) && aligned16(out)) {
            const int perBlock = threads * vector;
            return launchKernel(swiGluKernel<T, vector>, dim3(rows, (intermediate + perBlock - 1) / perBlock),
                                dim3(threads), launch, static_cast<const T*>(gateUp), static_cast<T*>(out), intermediate);
        }
        return launchKernel(swiGluKernel<T, 1>, dim3(rows, (intermediate + threads - 1) / threads), dim3(threads), launch,
                            static_cast<const T*>(gateUp), static_cast<T*>(out), intermediate);
    });
}

} // namespace vora::core::cuda
