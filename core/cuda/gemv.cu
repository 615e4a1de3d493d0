// Matrix-vector product for decode (core/cuda/decode_kernels.h): y = W x (+ b), M = 1. Bandwidth-bound:
// every weight byte is read once, so the kernel streams W with 16-byte loads marked evict-first (the KV
// cache and activations keep the L2), kRows output rows at a time, and each lane issues all kChunk loads
// of a chunk (predicated at the row's end, so a row's tail is not a chain of single loads) before it uses
// any. The first chunk of weights is loaded before waitForPrerequisites(): with an overlapped launch
// (core/cuda/launch.cuh) it streams in while the previous kernel finishes. x (a few tens of KB, written by
// the previous kernel) is read with plain loads after the wait, so it is coherent and L1 serves it to the
// block's other warps (read through L2 only, it doubled the L2 traffic of 1-row variants).
//
// A variant's kRows rows are taken by one warp over all of k, or (kSplit = kWarps) by the block's warps,
// each over a quarter of k, their four sums then added in warp order in shared memory: four times the
// blocks, each finishing sooner, which keeps the memory system busier for shapes with few rows (down_proj:
// 3584 rows of 18944 go from 80% to 89% of the copy bandwidth on an H200, tests/gpu/bench_decode_kernels).
//
// Every variant that does not split k adds a lane's products in ascending column order and then across the
// warp the same way, so they all give the same bits; those that split k add the warps' quarters after
// that, the same bits among themselves (gemvVariantSplitsK).
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

template <typename T, int kChunk, int kRows, int kSplit>
__global__ void __launch_bounds__(kWarps * 32) gemvKernel(const T* __restrict__ w, const T* x,
                                                          const T* __restrict__ bias, T* y, int n, int k)
{
    static_assert(kSplit == 1 || kSplit == kWarps, "k is split over all of the block's warps or none");
    const int lane = threadIdx.x % 32;
    const int warp = threadIdx.x / 32;
    const int firstRow = (kSplit == 1 ? blockIdx.x * kWarps + warp : blockIdx.x) * kRows;
    const int vectors = k / Vec16<T>::kCount;
    // This warp's vectors of each row: all of them, or its quarter.
    const int span = (vectors + kSplit - 1) / kSplit;
    const int begin = kSplit == 1 ? 0 : min(vectors, warp * span);
    const int end = min(vectors, begin + span);
    const uint4* input = reinterpret_cast<const uint4*>(x);
    const uint4* rows[kRows];
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
        // Rows past n (the last block's) read the last row again and write nothing.
        rows[r] = reinterpret_cast<const uint4*>(w + static_cast<int64_t>(min(firstRow + r, n - 1)) * k);
    }
    uint4 loaded[kRows][kChunk];
    const auto fetch = [&](int base) {
#pragma unroll
        for (int u = 0; u < kChunk; ++u) {
            const int v = base + lane + 32 * u;
#pragma unroll
            for (int r = 0; r < kRows; ++r) {
                loaded[r][u] = v < end ? __ldcs(rows[r] + v) : make_uint4(0, 0, 0, 0);
            }
        }
    };
    fetch(begin); // no kernel writes weights: safe before the wait
    waitForPrerequisites();
    float sum[kRows];
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
        sum[r] = 0.f;
    }
    for (int base = begin; base < end; base += 32 * kChunk) {
        if (base > begin) {
            fetch(base);
        }
#pragma unroll
        for (int u = 0; u < kChunk; ++u) {
            const int v = base + lane + 32 * u;
            if (v < end) {
                const uint4 xv = input[v]; // a plain load: after the wait, and cached in L1 for the block's other warps
#pragma unroll
                for (int r = 0; r < kRows; ++r) {
                    sum[r] += dot16<T>(loaded[r][u], xv);
                }
            }
        }
    }
    startDependents(); // what is left is the warp sums and the writes
    float total[kRows];
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
        total[r] = warpSum(sum[r]);
    }
    if constexpr (kSplit != 1) {
        __shared__ float quarter[kWarps][kRows];
        if (lane == 0) {
#pragma unroll
            for (int r = 0; r < kRows; ++r) {
                quarter[warp][r] = total[r];
            }
        }
        __syncthreads();
#pragma unroll
        for (int r = 0; r < kRows; ++r) {
            total[r] = quarter[0][r];
#pragma unroll
            for (int part = 1; part < kWarps; ++part) {
                total[r] += quarter[part][r];
            }
        }
        if (warp != 0) {
            return; // warp 0 writes the block's rows
        }
    }
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
        const int row = firstRow + r;
        if (lane == 0 && row < n) {
            y[row] = fromFloat<T>(bias ? total[r] + toFloat(bias[row]) : total[r]);
        }
    }
}

struct Variant {
    const char* name;
    bool splitsK;
    cudaError_t (*launch)(ElementType, const void*, const void*, const void*, void*, int, int, const Launch&);
};

template <int kChunk, int kRows, int kSplit>
cudaError_t launchVariant(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                          const Launch& launch)
{
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        constexpr int rowsPerBlock = (kSplit == 1 ? kWarps : 1) * kRows;
        return launchKernel(gemvKernel<T, kChunk, kRows, kSplit>, dim3((n + rowsPerBlock - 1) / rowsPerBlock),
                            dim3(kWarps * 32), launch, static_cast<const T*>(w), static_cast<const T*>(x),
                            static_cast<const T*>(bias), static_cast<T*>(y), n, k);
    });
}

constexpr Variant kVariants[] = {
    {"1 row x 8 loads", false, launchVariant<8, 1, 1>},
    {"2 rows x 4 loads", false, launchVariant<4, 2, 1>},
    {"2 rows x 8 loads", false, launchVariant<8, 2, 1>},
    {"4 rows x 4 loads", false, launchVariant<4, 4, 1>},
    // 32 loads in flight per lane: for shapes with few rows per multiprocessor (down_proj: 3584 rows of 18944),
    // where the loads of the other variants' warps do not cover the memory latency.
    {"4 rows x 8 loads", false, launchVariant<8, 4, 1>},
    {"8 rows x 4 loads", false, launchVariant<4, 8, 1>},
    // k split over the block's warps: the rows are per block, a quarter of each per warp.
    {"2 rows x 4 loads, k/4", true, launchVariant<4, 2, kWarps>},
    {"4 rows x 4 loads, k/4", true, launchVariant<4, 4, kWarps>},
    {"4 rows x 8 loads, k/4", true, launchVariant<8, 4, kWarps>},
};
constexpr int kVariantCount = static_cast<int>(sizeof(kVariants) / sizeof(kVariants[0]));

} // namespace

bool gemvFits(ElementType type, const void* w, const void* x, int k)
{
    const int elementBytes = type == ElementType::Float32 ? 4 : 2;
    return (k * elementBytes) % 16 == 0 && aligned16(w) && aligned16(x);
}

int gemvVariantCount() { return kVariantCount; }

const char* gemvVariantName(int variant)
{
    return variant >= 0 && variant < kVariantCount ? kVariants[variant].name : "unknown";
}

bool gemvVariantSplitsK(int variant) { return variant >= 0 && variant < kVariantCount && kVariants[variant].splitsK; }

cudaError_t launchGemv(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                       const Launch& launch, int variant)
{
    if (variant < 0 || variant >= kVariantCount || n < 1) {
        return cudaErrorInvalidValue;
    }
    return kVariants[variant].launch(type, w, x, bias, y, n, k, launch);
}

} // namespace vora::core::cuda
