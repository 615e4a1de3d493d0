// Decode attention over the KV cache, split over the keys ("flash decoding"; core/cuda/decode_kernels.h).
// Pass 1: a grid of (splits, KvH) blocks; block (s, g) takes the s-th slice of the first `length` keys of KV
// head g (length read from device memory, so one captured launch serves every step), computes the scores
// of all `groups` query heads that share g (each key and value row is read once per group), and keeps an
// online softmax per head: running max, running sum, and the weighted sum of value rows. The slice goes in
// tiles of 32 keys: all 128 threads load a tile's key and value rows into shared memory at once (16-byte
// loads, every load of the tile in flight together), then scores, softmax (one warp per head, a lane per
// key) and the weighted value sum run from shared memory. Pass 2: one block per query head merges the
// slices the cache length used by their maxima (one warp over the slices, then every dimension in parallel,
// 16 slices per round trip) and writes the output and the row statistics.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

#include <cmath>

namespace vora::core::cuda {
namespace {

constexpr int kThreads = 128;        // threads of a pass-1 block
constexpr int kTileKeys = 32;        // keys per tile: a lane per key in the softmax
constexpr int kMinKeysPerSplit = 32; // short caches use fewer slices
constexpr int kMaxSplits = 64;       // pass 2 keeps one weight per slice in shared memory

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

// The slices pass 1 used for a cache of `length` keys (the rest hold nothing).
__device__ __forceinline__ int slicesUsed(int64_t length, int splits)
{
    return static_cast<int>(min(int64_t(splits), (length + kMinKeysPerSplit - 1) / kMinKeysPerSplit));
}

template <typename T, int kHeadDim, int kMaxGroups>
__global__ void __launch_bounds__(kThreads) splitKernel(const T* q, const int64_t* table, int layer, int numLayers,
                                                        const int64_t* position, int groups, int splits,
                                                        float scaleLog2, Partials partials)
{
    static_assert(kHeadDim <= kThreads && kThreads % kHeadDim == 0, "a thread per dimension and key subset");
    static_assert(kTileKeys == 32, "the softmax gives each key of a tile one lane of a warp");
    constexpr int kParts = kThreads / kHeadDim; // key subsets in the value phase
    constexpr int kVec = Vec16<T>::kCount;      // elements per 16-byte vector
    constexpr int kRowVectors = kHeadDim / kVec;
    constexpr int kStride = kHeadDim + kVec;    // a row plus one vector: lanes reading different rows spread over banks
    constexpr int kTileVectors = kTileKeys * kRowVectors;
    constexpr int kLoadsPerThread = (kTileVectors + kThreads - 1) / kThreads;
    waitForPrerequisites(); // q and the newest cache row come from the kernel before
    const int tid = threadIdx.x;
    const int kvHead = blockIdx.y;
    const int split = blockIdx.x;
    const int64_t length = *position + 1;
    const int64_t capacity = table[2 * numLayers];
    const int used = slicesUsed(length, splits);
    const int64_t chunk = (length + used - 1) / used;
    const int64_t start = split * chunk;
    const int64_t end = min(length, start + chunk);
    const int64_t slot = (int64_t(kvHead) * splits + split) * groups;
    if (start >= end) {
        startDependents();
        if (split >= used) {
            return; // the merge reads only the slices below `used`; an empty one below them it reads as zero
        }
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

    __shared__ __align__(16) T keyTile[kTileKeys][kStride];
    __shared__ __align__(16) T valueTile[kTileKeys][kStride];
    __shared__ __align__(16) float queries[kMaxGroups][kHeadDim]; // pre-scaled to log2 units
    __shared__ float weights[kMaxGroups][kTileKeys];
    __shared__ float runMax[kMaxGroups];
    __shared__ float runSum[kMaxGroups];
    __shared__ float rescale[kMaxGroups];
    // The group's query heads are requested together; they reach shared memory once the first tile's loads
    // are in flight too (one round trip to memory for both, not one per head).
    constexpr int kQueryLoads = (kMaxGroups * kHeadDim + kThreads - 1) / kThreads;
    float queryParts[kQueryLoads];
#pragma unroll
    for (int u = 0; u < kQueryLoads; ++u) {
        const int i = tid + u * kThreads;
        queryParts[u] = i < groups * kHeadDim ? toFloat(q[int64_t(kvHead) * groups * kHeadDim + i]) : 0.f;
    }
    if (tid < kMaxGroups) {
        runMax[tid] = -INFINITY;
        runSum[tid] = 0.f;
    }

    const int part = tid / kHeadDim;
    const int dim = tid % kHeadDim;
    float acc[kMaxGroups];
#pragma unroll
    for (int j = 0; j < kMaxGroups; ++j) {
        acc[j] = 0.f;
    }
    const int warp = tid / 32;
    const int lane = tid % 32;
    for (int64_t tile = start; tile < end; tile += kTileKeys) {
        const int tileKeys = static_cast<int>(min(int64_t(kTileKeys), end - tile));
        // Every key and value vector of the tile is requested before any is stored.
        uint4 keyParts[kLoadsPerThread];
        uint4 valueParts[kLoadsPerThread];
#pragma unroll
        for (int u = 0; u < kLoadsPerThread; ++u) {
            const int i = tid + u * kThreads;
            const int key = i / kRowVectors;
            const bool inside = i < kTileVectors && key < tileKeys;
            const int64_t offset = (tile + key) * kHeadDim + (i % kRowVectors) * kVec;
            keyParts[u] = inside ? *reinterpret_cast<const uint4*>(keys + offset) : make_uint4(0, 0, 0, 0);
            valueParts[u] = inside ? *reinterpret_cast<const uint4*>(values + offset) : make_uint4(0, 0, 0, 0);
        }
        if (tile == start) {
#pragma unroll
            for (int u = 0; u < kQueryLoads; ++u) {
                const int i = tid + u * kThreads;
                if (i < groups * kHeadDim) {
                    queries[i / kHeadDim][i % kHeadDim] = queryParts[u] * scaleLog2;
                }
            }
        }
#pragma unroll
        for (int u = 0; u < kLoadsPerThread; ++u) {
            const int i = tid + u * kThreads;
            if (i < kTileVectors) {
                *reinterpret_cast<uint4*>(&keyTile[i / kRowVectors][(i % kRowVectors) * kVec]) = keyParts[u];
                *reinterpret_cast<uint4*>(&valueTile[i / kRowVectors][(i % kRowVectors) * kVec]) = valueParts[u];
            }
        }
        __syncthreads();
        // Scores: thread t takes key t % 32 for heads t / 32, t / 32 + 4, ...
        {
            const int key = tid % kTileKeys;
            for (int j = tid / kTileKeys; j < groups; j += kThreads / kTileKeys) {
                float dot = 0.f;
#pragma unroll
                for (int c = 0; c < kRowVectors; ++c) {
                    const Vec16<T> k(*reinterpret_cast<const uint4*>(&keyTile[key][c * kVec]));
#pragma unroll
                    for (int e = 0; e < kVec; ++e) {
                        dot = fmaf(queries[j][c * kVec + e], k.v[e], dot);
                    }
                }
                weights[j][key] = key < tileKeys ? dot : -INFINITY;
            }
        }
        __syncthreads();
        // Online softmax per head: one warp per head, a lane per key of the tile.
        for (int j = warp; j < groups; j += kThreads / 32) {
            const float score = weights[j][lane];
            const float newMax = fmaxf(runMax[j], warpMax(score));
            const float weight = exp2f(score - newMax);
            weights[j][lane] = weight;
            const float tileSum = warpSum(weight);
            if (lane == 0) {
                const float scale = exp2f(runMax[j] - newMax);
                rescale[j] = scale;
                runSum[j] = runSum[j] * scale + tileSum;
                runMax[j] = newMax;
            }
        }
        __syncthreads();
#pragma unroll
        for (int j = 0; j < kMaxGroups; ++j) {
            if (j < groups) {
                acc[j] *= rescale[j];
            }
        }
        for (int i = part; i < tileKeys; i += kParts) {
            const float v = toFloat(valueTile[i][dim]);
#pragma unroll
            for (int j = 0; j < kMaxGroups; ++j) {
                if (j < groups) {
                    acc[j] = fmaf(weights[j][i], v, acc[j]);
                }
            }
        }
        __syncthreads(); // the tiles and weights are rewritten by the next tile
    }
    startDependents(); // what is left is writing this slice's partial results

    if constexpr (kParts > 1) {
        __shared__ float gathered[kParts][kMaxGroups][kHeadDim];
#pragma unroll
        for (int j = 0; j < kMaxGroups; ++j) {
            gathered[part][j][dim] = acc[j];
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
                partials.out[(slot + j) * kHeadDim + dim] = acc[j];
            }
        }
    }
    if (tid < groups) {
        partials.max[slot + tid] = runMax[tid];
        partials.sum[slot + tid] = runSum[tid];
    }
}

template <typename T>
__global__ void combineKernel(Partials partials, const int64_t* position, T* out, float* rowMax, float* rowSum, int groups,
                              int splits, int headDim)
{
    constexpr int kBatch = 16; // slices whose partial outputs are requested together
    waitForPrerequisites();
    startDependents();
    const int head = blockIdx.x;
    const int kvHead = head / groups;
    const int j = head % groups;
    // Only the slices pass 1 used: the others would add exactly zero (weight 0 times output 0), so the
    // result is the same bits, with fewer dependent loads.
    const int used = slicesUsed(*position + 1, splits);
    auto slot = [&](int s) { return (int64_t(kvHead) * splits + s) * groups + j; };
    __shared__ float sliceWeight[kMaxSplits];
    __shared__ float maximum;
    __shared__ float total;
    if (threadIdx.x < 32) {
        const int lane = threadIdx.x;
        float sliceMax[kMaxSplits / 32];
        float sliceSum[kMaxSplits / 32];
#pragma unroll
        for (int u = 0; u < kMaxSplits / 32; ++u) {
            const int s = lane + 32 * u;
            sliceMax[u] = s < used ? partials.max[slot(s)] : -INFINITY;
            sliceSum[u] = s < used ? partials.sum[slot(s)] : 0.f;
        }
        float m = -INFINITY;
#pragma unroll
        for (int u = 0; u < kMaxSplits / 32; ++u) {
            m = fmaxf(m, sliceMax[u]);
        }
        m = warpMax(m);
        float t = 0.f;
#pragma unroll
        for (int u = 0; u < kMaxSplits / 32; ++u) {
            const int s = lane + 32 * u;
            if (s < used) {
                const float weight = exp2f(sliceMax[u] - m);
                sliceWeight[s] = weight;
                t += sliceSum[u] * weight;
            }
        }
        t = warpSum(t);
        if (lane == 0) {
            maximum = m;
            total = t;
        }
    }
    __syncthreads();
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float value = 0.f;
        for (int base = 0; base < used; base += kBatch) {
            float parts[kBatch];
#pragma unroll
            for (int u = 0; u < kBatch; ++u) {
                parts[u] = base + u < used ? partials.out[slot(base + u) * headDim + d] : 0.f;
            }
#pragma unroll
            for (int u = 0; u < kBatch; ++u) {
                if (base + u < used) {
                    value += parts[u] * sliceWeight[base + u];
                }
            }
        }
        out[int64_t(head) * headDim + d] = fromFloat<T>(value / total);
    }
    if (threadIdx.x == 0) {
        rowMax[head] = maximum * 0.69314718055994530942f; // log2 units back to natural ones
        rowSum[head] = total;
    }
}

template <typename T, int kHeadDim, int kMaxGroups>
cudaError_t launchSplitAndCombine(const void* q, const int64_t* table, int layer, int numLayers, const int64_t* position, void* out,
                   float* rowMax, float* rowSum, Partials partials, int numHeads, int numKvHeads, int splits,
                   const Launch& launch)
{
    const int groups = numHeads / numKvHeads;
    const float scaleLog2 = static_cast<float>(1.4426950408889634 / std::sqrt(double(kHeadDim)));
    const cudaError_t first =
        launchKernel(splitKernel<T, kHeadDim, kMaxGroups>, dim3(splits, numKvHeads), dim3(kThreads), launch,
                     static_cast<const T*>(q), table, layer, numLayers, position, groups, splits, scaleLog2, partials);
    if (first != cudaSuccess) {
        return first;
    }
    return launchKernel(combineKernel<T>, dim3(numHeads), dim3(kHeadDim < 32 ? 32 : (kHeadDim > 256 ? 256 : kHeadDim)),
                        launch, partials, position, static_cast<T*>(out), rowMax, rowSum, groups, splits, kHeadDim);
}

template <typename T, int kHeadDim>
cudaError_t launchForGroups(int groups, const void* q, const int64_t* table, int layer, int numLayers,
                            const int64_t* position, void* out, float* rowMax, float* rowSum, Partials partials,
                            int numHeads, int numKvHeads, int splits, const Launch& launch)
{
    if (groups <= 8) {
        return launchSplitAndCombine<T, kHeadDim, 8>(q, table, layer, numLayers, position, out, rowMax, rowSum, partials, numHeads,
                                      numKvHeads, splits, launch);
    }
    return launchSplitAndCombine<T, kHeadDim, 16>(q, table, layer, numLayers, position, out, rowMax, rowSum, partials, numHeads,
                                       numKvHeads, splits, launch);
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
                                  int numHeads, int numKvHeads, int headDim, int splits, const Launch& launch)
{
    const int groups = numHeads / numKvHeads;
    if (!decodeAttentionSupports(headDim, groups) || numHeads % numKvHeads != 0 || splits < 1 || splits > kMaxSplits) {
        return cudaErrorInvalidValue;
    }
    const Partials partials = partialsOf(workspace, numKvHeads, groups, headDim, splits);
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        switch (headDim) {
        case 16:
            return launchForGroups<T, 16>(groups, q, cacheTable, layer, numLayers, position, out, rowMax, rowSum,
                                          partials, numHeads, numKvHeads, splits, launch);
        case 64:
            return launchForGroups<T, 64>(groups, q, cacheTable, layer, numLayers, position, out, rowMax, rowSum,
                                          partials, numHeads, numKvHeads, splits, launch);
        default:
            return launchForGroups<T, 128>(groups, q, cacheTable, layer, numLayers, position, out, rowMax, rowSum,
                                           partials, numHeads, numKvHeads, splits, launch);
        }
    });
}

} // namespace vora::core::cuda
