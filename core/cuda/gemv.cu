// Matrix-vector product for decode (core/cuda/decode_kernels.h): y = W x (+ b), M = 1. Bandwidth-bound:
// every weight byte is read once, so the kernel streams W with 16-byte loads marked evict-first (the KV
// cache and activations keep the L2), one warp per output row, several loads in flight per lane, and
// enough small blocks that every multiprocessor stays busy to the end. x (at most a few tens of KB) is read
// through the read-only cache by every warp.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"

namespace vora::core::cuda {
namespace {

constexpr int kWarps = 4;
constexpr int kUnroll = 8;

template <typename T>
__device__ __forceinline__ float dot16(const uint4& w, const uint4& x)
{
    const Vec16<T> a(w);
    const Vec16<T> b(x);
    float sum = 0.f;
#pragma unroll
    for (int i = 0; i < Vec16<T>::kCount; ++i) {
        sum = fmaf(a.v[i], b.v[i], sum);
    }
    return sum;
}

template <typename T>
__global__ void __launch_bounds__(kWarps * 32) gemvKernel(const T* __restrict__ w, const T* __restrict__ x,
                                                          const T* __restrict__ bias, T* __restrict__ y, int n, int k)
{
    const int lane = threadIdx.x % 32;
    const int row = blockIdx.x * kWarps + threadIdx.x / 32;
    if (row >= n) {
        return;
    }
    const int vectors = k / Vec16<T>::kCount;
    const uint4* weights = reinterpret_cast<const uint4*>(w + static_cast<int64_t>(row) * k);
    const uint4* input = reinterpret_cast<const uint4*>(x);
    float sum = 0.f;
    int v = lane;
    for (; v + 32 * (kUnroll - 1) < vectors; v += 32 * kUnroll) {
        uint4 loaded[kUnroll];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
            loaded[u] = __ldcs(weights + v + 32 * u);
        }
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
            sum += dot16<T>(loaded[u], __ldg(input + v + 32 * u));
        }
    }
    for (; v < vectors; v += 32) {
        sum += dot16<T>(__ldcs(weights + v), __ldg(input + v));
    }
    sum = warpSum(sum);
    if (lane == 0) {
        y[row] = fromFloat<T>(bias ? sum + toFloat(bias[row]) : sum);
    }
}

} // namespace

bool gemvFits(ElementType type, const void* w, const void* x, int k)
{
    const int elementBytes = type == ElementType::Float32 ? 4 : 2;
    const auto aligned = [](const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; };
    return (k * elementBytes) % 16 == 0 && aligned(w) && aligned(x);
}

cudaError_t launchGemv(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                       cudaStream_t stream)
{
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        gemvKernel<T><<<(n + kWarps - 1) / kWarps, kWarps * 32, 0, stream>>>(
            static_cast<const T*>(w), static_cast<const T*>(x), static_cast<const T*>(bias), static_cast<T*>(y), n, k);
        return cudaGetLastError();
    });
}

} // namespace vora::core::cuda
