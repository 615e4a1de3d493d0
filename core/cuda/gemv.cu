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
// The gated form (launchGatedGemv) gives each warp (or block) pairs of rows, a gate row and its up row, and
// writes SwiGLU of the two: the same loads and sums as the plain form of the variant.
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

// kGated: W is [2n, k] and the kRows rows are kRows / 2 outputs' pairs (row i and row n + i), whose two
// products are rounded to T and joined by SwiGLU (launchGatedGemv).
template <typename T, int kChunk, int kRows, int kSplit, bool kGated>
__global__ void __launch_bounds__(kWarps * 32) gemvKernel(const T* __restrict__ w, const T* x,
                                                          const T* __restrict__ bias, T* y, int n, int k)
{
    static_assert(kSplit == 1 || kSplit == kWarps, "k is split over all of the block's warps or none");
    static_assert(!kGated || kRows % 2 == 0, "gated rows come in pairs");
    constexpr int kOutputs = kGated ? kRows / 2 : kRows; // outputs of a warp (or, splitting k, of a block)
    const int lane = threadIdx.x % 32;
    const int warp = threadIdx.x / 32;
    const int firstRow = (kSplit == 1 ? blockIdx.x * kWarps + warp : blockIdx.x) * kOutputs; // the first output
    const int vectors = k / Vec16<T>::kCount;
    // This warp's vectors of each row: all of them, or its quarter.
    const int span = (vectors + kSplit - 1) / kSplit;
    const int begin = kSplit == 1 ? 0 : min(vectors, warp * span);
    const int end = min(vectors, begin + span);
    const uint4* input = reinterpret_cast<const uint4*>(x);
    const uint4* rows[kRows];
#pragma unroll
    for (int r = 0; r < kRows; ++r) {
        // Outputs past n (the last block's) read the last row again and write nothing.
        const int output = min(firstRow + r % kOutputs, n - 1);
        const int row = r < kOutputs ? output : n + output; // gated: the up row after the gate rows
        rows[r] = reinterpret_cast<const uint4*>(w + static_cast<int64_t>(row) * k);
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
    for (int r = 0; r < kOutputs; ++r) {
        const int row = firstRow + r;
        if (lane == 0 && row < n) {
            const float product = bias ? total[r] + toFloat(bias[row]) : total[r];
            if constexpr (kGated) {
                // Each half as launchGemv would write it, then SwiGLU as launchSwiGlu computes it.
                const float up = bias ? total[r + kOutputs] + toFloat(bias[n + row]) : total[r + kOutputs];
                y[row] = fromFloat<T>(swiGluElement<T>(roundTo<T>(product), roundTo<T>(up)));
            } else {
                y[row] = fromFloat<T>(product);
            }
        }
    }
}

using Launcher = cudaError_t (*)(ElementType, const void*, const void*, const void*, void*, int, int, const Launch&);

struct Variant {
    const char* name;
    bool splitsK;
    Launcher launch;
    Launcher launchGated; // null: the variant's rows are not pairs
};

template <int kChunk, int kRows, int kSplit, bool kGated = false>
cudaError_t launchVariant(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                          const Launch& launch)
{
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        constexpr int outputsPerBlock = (kSplit == 1 ? kWarps : 1) * (kGated ? kRows / 2 : kRows);
        return launchKernel(gemvKernel<T, kChunk, kRows, kSplit, kGated>,
                            dim3((n + outputsPerBlock - 1) / outputsPerBlock), dim3(kWarps * 32), launch,
                            static_cast<const T*>(w), static_cast<const T*>(x), static_cast<const T*>(bias),
                            static_cast<T*>(y), n, k);
    });
}

template <int kChunk, int kRows, int kSplit>
constexpr Variant variant(const char* name)
{
    return {name, kSplit != 1, launchVariant<kChunk, kRows, kSplit>,
            kRows % 2 == 0 ? launchVariant<kChunk, kRows % 2 == 0 ? kRows : 2, kSplit, true> : nullptr};
}

constexpr Variant kVariants[] = {
    variant<8, 1, 1>("1 row x 8 loads"),
    variant<4, 2, 1>("2 rows x 4 loads"),
    variant<8, 2, 1>("2 rows x 8 loads"),
    variant<4, 4, 1>("4 rows x 4 loads"),
    // 32 loads in flight per lane: for shapes with few rows per multiprocessor (down_proj: 3584 rows of 18944),
    // where the loads of the other variants' warps do not cover the memory latency.
    variant<8, 4, 1>("4 rows x 8 loads"),
    variant<4, 8, 1>("8 rows x 4 loads"),
    // k split over the block's warps: the rows are per block, a quarter of each per warp.
    variant<4, 2, kWarps>("2 rows x 4 loads, k/4"),
    variant<4, 4, kWarps>("4 rows x 4 loads, k/4"),
    variant<8, 4, kWarps>("4 rows x 8 loads, k/4"),
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

bool gemvVariantGates(int variant)
{
    return variant >= 0 && variant < kVariantCount && kVariants[variant].launchGated != nullptr;
}

cudaError_t launchGemv(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                       const Launch& launch, int variant)
{
    if (variant < 0 || variant >= kVariantCount || n < 1) {
        return cudaErrorInvalidValue;
    }
    return kVariants[variant].launch(type, w, x, bias, y, n, k, launch);
}

cudaError_t launchGatedGemv(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                            const Launch& launch, int variant)
{
    if (!gemvVariantGates(variant) || n < 1) {
        return cudaErrorInvalidValue;
    }
    return kVariants[variant].launchGated(type, w, x, bias, y, n, k, launch);
}

} // namespace vora::core::cuda
