// Matrix-vector product for decode (core/cuda/decode_kernels.h): y = W x (+ b), M = 1. Bandwidth-bound:
// every weight byte is read once, so the kernel streams W with 16-byte loads marked evict-first (the KV
// cache and activations keep the L2), kRows output rows per warp, and each lane issues all kChunk loads
// of a chunk (predicated at the row's end, so a row's tail is not a chain of single loads) before it uses
// any. The first chunk of weights is loaded before waitForPrerequisites(): with an overlapped launch
// (core/cuda/launch.cuh) it streams in while the previous kernel finishes. x (a few tens of KB, written by
// the previous kernel) is read with plain loads after the wait, so it is coherent and L1 serves it to the
// block's other warps (read through L2 only, it doubled the L2 traffic of 1-row variants).
//
// Every variant adds a lane's products in ascending column order and then across the warp the same way,
// so all variants give the same bits.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

namespace vora::core::cuda {
namespace {

constexpr int kWarps = 4;

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

template <typename T, int kChunk, int kRows>
__global__ void __launch_bounds__(kWarps * 32) gemvKernel(const T* __restrict__ w, const T* x,
                                                          const T* __restrict__ bias, T* y, int n, int k)
{
    const int lane = threadIdx.x % 32;
    const int firstRow = (blockIdx.x * kWarps + threadIdx.x / 32) * kRows;
    const int vectors = k / Vec16<T>::kCount;
    const uint4* input = reinterpret_cast<const uint4*>(x);
    const uint4* rows[kRows];
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
        // Rows past n (the last warp's) read the last row again and write nothing.
        rows[r] = reinterpret_cast<const uint4*>(w + static_cast<int64_t>(min(firstRow + r, n - 1)) * k);
    }
    uint4 loaded[kRows][kChunk];
    const auto fetch = [&](int base) {
#pragma unroll
        for (int u = 0; u < kChunk; ++u) {
            const int v = base + lane + 32 * u;
#pragma unroll
            for (int r = 0; r < kRows; ++r) {
                loaded[r][u] = v < vectors ? __ldcs(rows[r] + v) : make_uint4(0, 0, 0, 0);
            }
        }
    };
    fetch(0); // no kernel writes weights: safe before the wait
    waitForPrerequisites();
    float sum[kRows];
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
        sum[r] = 0.f;
    }
    for (int base = 0; base < vectors; base += 32 * kChunk) {
        if (base > 0) {
            fetch(base);
        }
#pragma unroll
        for (int u = 0; u < kChunk; ++u) {
            const int v = base + lane + 32 * u;
            if (v < vectors) {
                const uint4 xv = input[v]; // a plain load: after the wait, and cached in L1 for the block's other warps
#pragma unroll
                for (int r = 0; r < kRows; ++r) {
                    sum[r] += dot16<T>(loaded[r][u], xv);
                }
            }
        }
    }
    startDependents(); // what is left is the warp sums and the writes
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
        const float total = warpSum(sum[r]);
        const int row = firstRow + r;
        if (lane == 0 && row < n) {
            y[row] = fromFloat<T>(bias ? total + toFloat(bias[row]) : total);
        }
    }
}

struct Variant {
    const char* name;
    cudaError_t (*launch)(ElementType, const void*, const void*, const void*, void*, int, int, const Launch&);
};

template <int kChunk, int kRows>
cudaError_t launchVariant(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                          const Launch& launch)
{
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        constexpr int rowsPerBlock = kWarps * kRows;
        return launchKernel(gemvKernel<T, kChunk, kRows>, dim3((n + rowsPerBlock - 1) / rowsPerBlock),
                            dim3(kWarps * 32), launch, static_cast<const T*>(w), static_cast<const T*>(x),
                            static_cast<const T*>(bias), static_cast<T*>(y), n, k);
    });
}

constexpr Variant kVariants[] = {
    {"1 row x 8 loads", launchVariant<8, 1>},
    {"2 rows x 4 loads", launchVariant<4, 2>},
    {"2 rows x 8 loads", launchVariant<8, 2>},
    {"4 rows x 4 loads", launchVariant<4, 4>},
    // 32 loads in flight per lane: for shapes with few rows per multiprocessor (down_proj: 3584 rows of 18944),
    // where the loads of the other variants' warps do not cover the memory latency.
    {"4 rows x 8 loads", launchVariant<8, 4>},
    {"8 rows x 4 loads", launchVariant<4, 8>},
};
constexpr int kVariantCount = static_cast<int>(sizeof(kVariants) / sizeof(kVariants[0]));

} // namespace

bool gemvFits(ElementType type, const void* w, const void* x, int k)
{
    const int elementBytes = type == ElementType::Float32 ? 4 : 2;
    const auto aligned = [](const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; };
    return (k * elementBytes) % 16 == 0 && aligned(w) && aligned(x);
}

int gemvVariantCount() { return kVariantCount; }

const char* gemvVariantName(int variant)
{
    return variant >= 0 && variant < kVariantCount ? kVariants[variant].name : "unknown";
}

cudaError_t launchGemv(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                       const Launch& launch, int variant)
{
    if (variant < 0 || variant >= kVariantCount || n < 1) {
        return cudaErrorInvalidValue;
    }
    return kVariants[variant].launch(type, w, x, bias, y, n, k, launch);
}

} // namespace vora::core::cuda
