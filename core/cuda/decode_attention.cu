// Decode attention over the KV cache, split over the keys ("flash decoding"; core/cuda/decode_kernels.h).
// Pass 1: a grid of (splits, KvH) blocks; block (s, g) takes the s-th slice of the first `length` keys of KV
// head g (length read from device memory, so one captured launch serves every step), computes the scores
// of all `groups` query heads that share g (each key and value row is read once per group), and keeps an
// online softmax per head: running max, running sum, and the weighted sum of value rows. Pass 2: one block
// per query head merges the slices by their maxima and writes the output and the row statistics.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"

#include <cmath>

namespace vora::core::cuda {
namespace {

constexpr int kThreads = 128;        // one key per thread in the score phase
constexpr int kMinKeysPerSplit = 32; // short caches use fewer slices

struct Partials {
    float* out; // [KvH][splits][groups][Dh], unnormalised
    float* max; // [KvH][splits][groups], log2 units
    float* sum; // [KvH][splits][groups]
};

Partials partialsOf(float* workspace, int numKvHeads, int groups, int headDim, int splits)
{
    const int64_t rows = int64_t(numKvHeads) * splits * groups;
    return {workspace, workspace + rows * headDim, workspace + rows * headDim + rows};
}

template <typename T, int kHeadDim, int kMaxGroups>
__global__ void __launch_bounds__(kThreads) splitKernel(const T* q, const int64_t* table, int layer, int numLayers,
                                                        const int64_t* position, int groups, int splits,
                                                        float scaleLog2, Partials partials)
{
    constexpr int kParts = kHeadDim >= kThreads ? 1 : kThreads / kHeadDim; // key subsets in the value phase
    constexpr int kDims = kHeadDim >= kThreads ? kHeadDim / kThreads : 1;  // dimensions per thread
    constexpr int kVec = Vec16<T>::kCount;
    const int tid = threadIdx.x;
    const int kvHead = blockIdx.y;
    const int split = blockIdx.x;
    const int64_t length = *position + 1;
    const int64_t capacity = table[2 * numLayers];
    const int used = static_cast<int>(min(int64_t(splits), (length + kMinKeysPerSplit - 1) / kMinKeysPerSplit));
    const int64_t chunk = (length + used - 1) / used;
    const int64_t start = split * chunk;
    const int64_t end = min(length, start + chunk);
    const int64_t slot = (int64_t(kvHead) * splits + split) * groups;
    if (start >= end) {
        for (int i = tid; i < groups * kHeadDim; i += kThreads) {
            partials.out[slot * kHeadDim + i] = 0.f;
        }
        if (tid < groups) {
            partials.max[slot + tid] = -INFINITY;
            partials.sum[slot + tid] = 0.f;
        }
        return;
    }
    const T* keys = reinterpret_cast<const T*>(table[2 * layer]) + int64_t(kvHead) * capacity * kHeadDim;
    const T* values = reinterpret_cast<const T*>(table[2 * layer + 1]) + int64_t(kvHead) * capacity * kHeadDim;

    __shared__ __align__(16) float queries[kMaxGroups][kHeadDim]; // pre-scaled to log2 units
    __shared__ float scores[kMaxGroups][kThreads];
    __shared__ float runMax[kMaxGroups];
    __shared__ float runSum[kMaxGroups];
    __shared__ float rescale[kMaxGroups];
    for (int i = tid; i < groups * kHeadDim; i += kThreads) {
        const int j = i / kHeadDim;
        queries[j][i % kHeadDim] = toFloat(q[int64_t(kvHead * groups + j) * kHeadDim + i % kHeadDim]) * scaleLog2;
    }
    if (tid < kMaxGroups) {
        runMax[tid] = -INFINITY;
        runSum[tid] = 0.f;
    }
    __syncthreads();

    const int part = tid / (kHeadDim >= kThreads ? kThreads : kHeadDim);
    const int dim0 = kHeadDim >= kThreads ? tid : tid % kHeadDim;
    float acc[kMaxGroups][kDims];
#pragma unroll
    for (int j = 0; j < kMaxGroups; ++j) {
#pragma unroll
        for (int e = 0; e < kDims; ++e) {
            acc[j][e] = 0.f;
        }
    }

    for (int64_t tile = start; tile < end; tile += kThreads) {
        const int64_t key = tile + tid;
        float dots[kMaxGroups];
#pragma unroll
        for (int j = 0; j < kMaxGroups; ++j) {
            dots[j] = 0.f;
        }
        if (key < end) {
            const uint4* row = reinterpret_cast<const uint4*>(keys + key * kHeadDim);
#pragma unroll
            for (int c = 0; c < kHeadDim / kVec; ++c) {
                const Vec16<T> k(row[c]);
#pragma unroll
                for (int j = 0; j < kMaxGroups; ++j) {
                    if (j < groups) {
#pragma unroll
                        for (int e = 0; e < kVec; ++e) {
                            dots[j] = fmaf(queries[j][c * kVec + e], k.v[e], dots[j]);
                        }
                    }
                }
            }
        }
#pragma unroll
        for (int j = 0; j < kMaxGroups; ++j) {
            scores[j][tid] = key < end ? dots[j] : -INFINITY;
        }
        __syncthreads();
        // Online softmax per head: one warp per head turns the tile's scores into weights.
        const int warp = tid / 32;
        const int lane = tid % 32;
        for (int j = warp; j < groups; j += kThreads / 32) {
            float tileMax = -INFINITY;
            for (int i = lane; i < kThreads; i += 32) {
                tileMax = fmaxf(tileMax, scores[j][i]);
            }
            const float newMax = fmaxf(runMax[j], warpMax(tileMax));
            float tileSum = 0.f;
            for (int i = lane; i < kThreads; i += 32) {
                const float weight = exp2f(scores[j][i] - newMax);
                scores[j][i] = weight;
                tileSum += weight;
            }
            tileSum = warpSum(tileSum);
            if (lane == 0) {
                const float scale = exp2f(runMax[j] - newMax);
                rescale[j] = scale;
                runSum[j] = runSum[j] * scale + tileSum;
                runMax[j] = newMax;
            }
        }
        __syncthreads();
        const int tileKeys = static_cast<int>(min(int64_t(kThreads), end - tile));
#pragma unroll
        for (int j = 0; j < kMaxGroups; ++j) {
            if (j < groups) {
#pragma unroll
                for (int e = 0; e < kDims; ++e) {
                    acc[j][e] *= rescale[j];
                }
            }
        }
        for (int i = part; i < tileKeys; i += kParts) {
            const T* row = values + (tile + i) * kHeadDim;
#pragma unroll
            for (int e = 0; e < kDims; ++e) {
                const float v = toFloat(row[dim0 + e * kThreads]);
#pragma unroll
                for (int j = 0; j < kMaxGroups; ++j) {
                    if (j < groups) {
                        acc[j][e] = fmaf(scores[j][i], v, acc[j][e]);
                    }
                }
            }
        }
        __syncthreads(); // scores are rewritten by the next tile
    }

    if constexpr (kParts > 1) {
        __shared__ float gathered[kParts][kMaxGroups][kHeadDim];
#pragma unroll
        for (int j = 0; j < kMaxGroups; ++j) {
            gathered[part][j][dim0] = acc[j][0];
        }
        __syncthreads();
        for (int i = tid; i < groups * kHeadDim; i += kThreads) {
            const int j = i / kHeadDim;
            float total = 0.f;
#pragma unroll
            for (int p = 0; p < kParts; ++p) {
                total += gathered[p][j][i % kHeadDim];
            }
            partials.out[slot * kHeadDim + i] = total;
        }
    } else {
#pragma unroll
        for (int j = 0; j < kMaxGroups; ++j) {
            if (j < groups) {
#pragma unroll
                for (int e = 0; e < kDims; ++e) {
                    partials.out[(slot + j) * kHeadDim + dim0 + e * kThreads] = acc[j][e];
                }
            }
        }
    }
    if (tid < groups) {
        partials.max[slot + tid] = runMax[tid];
        partials.sum[slot + tid] = runSum[tid];
    }
}

template <typename T>
__global__ void combineKernel(Partials partials, T* out, float* rowMax, float* rowSum, int groups, int splits,
                              int headDim)
{
    const int head = blockIdx.x;
    const int kvHead = head / groups;
    const int j = head % groups;
    auto slot = [&](int s) { return (int64_t(kvHead) * splits + s) * groups + j; };
    float maximum = -INFINITY;
    for (int s = 0; s < splits; ++s) {
        maximum = fmaxf(maximum, partials.max[slot(s)]);
    }
    float total = 0.f;
    for (int s = 0; s < splits; ++s) {
        total += partials.sum[slot(s)] * exp2f(partials.max[slot(s)] - maximum);
    }
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float value = 0.f;
        for (int s = 0; s < splits; ++s) {
            value += partials.out[slot(s) * headDim + d] * exp2f(partials.max[slot(s)] - maximum);
        }
        out[int64_t(head) * headDim + d] = fromFloat<T>(value / total);
    }
    if (threadIdx.x == 0) {
        rowMax[head] = maximum * 0.69314718055994530942f; // log2 units back to natural ones
        rowSum[head] = total;
    }
}

template <typename T, int kHeadDim, int kMaxGroups>
cudaError_t launch(const void* q, const int64_t* table, int layer, int numLayers, const int64_t* position, void* out,
                   float* rowMax, float* rowSum, Partials partials, int numHeads, int numKvHeads, int splits,
                   cudaStream_t stream)
{
    const int groups = numHeads / numKvHeads;
    const float scaleLog2 = static_cast<float>(1.4426950408889634 / std::sqrt(double(kHeadDim)));
    splitKernel<T, kHeadDim, kMaxGroups><<<dim3(splits, numKvHeads), kThreads, 0, stream>>>(
        static_cast<const T*>(q), table, layer, numLayers, position, groups, splits, scaleLog2, partials);
    const cudaError_t first = cudaGetLastError();
    if (first != cudaSuccess) {
        return first;
    }
    combineKernel<T><<<numHeads, kHeadDim < 32 ? 32 : (kHeadDim > 256 ? 256 : kHeadDim), 0, stream>>>(
        partials, static_cast<T*>(out), rowMax, rowSum, groups, splits, kHeadDim);
    return cudaGetLastError();
}

template <typename T, int kHeadDim>
cudaError_t launchForGroups(int groups, const void* q, const int64_t* table, int layer, int numLayers,
                            const int64_t* position, void* out, float* rowMax, float* rowSum, Partials partials,
                            int numHeads, int numKvHeads, int splits, cudaStream_t stream)
{
    if (groups <= 8) {
        return launch<T, kHeadDim, 8>(q, table, layer, numLayers, position, out, rowMax, rowSum, partials, numHeads,
                                      numKvHeads, splits, stream);
    }
    return launch<T, kHeadDim, 16>(q, table, layer, numLayers, position, out, rowMax, rowSum, partials, numHeads,
                                   numKvHeads, splits, stream);
}

} // namespace

bool decodeAttentionSupports(int headDim, int groups)
{
    return (headDim == 16 || headDim == 64 || headDim == 128) && groups >= 1 && groups <= 16;
}

int64_t decodeAttentionWorkspaceFloats(int numKvHeads, int groups, int headDim, int splits)
{
    const int64_t rows = int64_t(numKvHeads) * splits * groups;
    return rows * headDim + 2 * rows;
}

cudaError_t launchDecodeAttention(ElementType type, const void* q, const int64_t* cacheTable, int layer, int numLayers,
                                  const int64_t* position, void* out, float* rowMax, float* rowSum, float* workspace,
                                  int numHeads, int numKvHeads, int headDim, int splits, cudaStream_t stream)
{
    const int groups = numHeads / numKvHeads;
    if (!decodeAttentionSupports(headDim, groups) || numHeads % numKvHeads != 0 || splits < 1) {
        return cudaErrorInvalidValue;
    }
    const Partials partials = partialsOf(workspace, numKvHeads, groups, headDim, splits);
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        switch (headDim) {
        case 16:
            return launchForGroups<T, 16>(groups, q, cacheTable, layer, numLayers, position, out, rowMax, rowSum,
                                          partials, numHeads, numKvHeads, splits, stream);
        case 64:
            return launchForGroups<T, 64>(groups, q, cacheTable, layer, numLayers, position, out, rowMax, rowSum,
                                          partials, numHeads, numKvHeads, splits, stream);
        default:
            return launchForGroups<T, 128>(groups, q, cacheTable, layer, numLayers, position, out, rowMax, rowSum,
                                           partials, numHeads, numKvHeads, splits, stream);
        }
    });
}

} // namespace vora::core::cuda
