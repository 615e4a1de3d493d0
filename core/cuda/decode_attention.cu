// Decode attention over the KV cache, split over the keys ("flash decoding"; core/cuda/decode_kernels.h),
// with the step's RoPE and cache write folded in.
// Pass 1: a grid of (splits, KvH) blocks; block (s, g) takes the s-th slice of the first `length` keys of KV
// head g (length read from device memory, so one captured launch serves every step), computes the scores
// of all `groups` query heads that share g (each key and value row is read once per group), and keeps an
// online softmax per head: running max, running sum, and the weighted sum of value rows. The slice goes in
// tiles of 32 keys: all the block's threads load a tile's key and value rows into shared memory at once
// (16-byte loads, every load of the tile in flight together), then scores, softmax (one warp per head, a
// lane per key) and the weighted value sum run from shared memory. The first tile is requested before
// waitForPrerequisites(): those cache rows are older than the step, so with an overlapped launch they
// arrive while the qkv projection ends. After the wait, each block rotates its group's q heads itself
// (rotateHalfVector, as the RoPE kernel does; slice 0 writes them out), and the block whose slice ends at
// the position rotates the step's own key, writes it and the value into the cache, and uses them.
// Pass 2: one block per query head merges the slices the cache length used by their maxima (a thread per
// dimension requests its value of every slice at once; one warp weighs the slices) and writes the output
// and the row statistics.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

#include <cmath>

namespace vora::core::cuda {
namespace {

// Threads of a pass-1 block: 256 for 2-byte elements (a tile's work over 8 warps: each warp's chain of
// dependent instructions is what bounds the kernel at decode lengths, measured with ncu on an H200: 0.22
// instructions issued per cycle and scheduler with 4 warps); 128 for float32, whose tiles fill the
// shared memory a block may declare.
template <typename T>
constexpr int kThreadsFor = sizeof(T) == 4 ? 128 : 256;
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

// What pass 1 reads besides the cache's older rows: the step's q, k and v heads, unrotated ([H + 2 KvH][Dh],
// the qkv projection's output), the RoPE tables, the position, the cache table; and where the rotated q
// heads go (for the attention capture).
template <typename T>
struct StepToken {
    const T* qkv;
    const T* cosTable;
    const T* sinTable;
    const int64_t* position;
    const int64_t* table;
    int layer;
    int numLayers;
    int numHeads;
    int numKvHeads;
    T* qOut;
};

template <typename T, int kHeadDim, int kMaxGroups, int kThreads = kThreadsFor<T>>
__global__ void __launch_bounds__(kThreads) splitKernel(StepToken<T> token, int groups, int splits, float scaleLog2,
                                                        Partials partials)
{
    static_assert(kHeadDim <= kThreads && kThreads % kHeadDim == 0, "a thread per dimension and key subset");
    static_assert(kTileKeys == 32, "the softmax gives each key of a tile one lane of a warp");
    constexpr int kParts = kThreads / kHeadDim; // key subsets in the value phase
    constexpr int kVec = Vec16<T>::kCount;      // elements per 16-byte vector
    constexpr int kRowVectors = kHeadDim / kVec;
    static_assert(kRowVectors % 2 == 0 && kRowVectors <= kThreads, "half a head is whole vectors");
    constexpr int kHalf = kHeadDim / 2;
    constexpr int kStride = kHeadDim + kVec;    // a row plus one vector: lanes reading different rows spread over banks
    constexpr int kTileVectors = kTileKeys * kRowVectors;
    constexpr int kLoadsPerThread = (kTileVectors + kThreads - 1) / kThreads;
    const int tid = threadIdx.x;
    const int kvHead = blockIdx.y;
    const int split = blockIdx.x;
    // Before waitForPrerequisites(), only what no kernel that may still run writes (core/cuda/launch.cuh):
    // the position and the cache table (set before the step's first kernel), the RoPE tables and the cache
    // rows below the position (earlier steps and the prefill). The row at the position is this step's: its
    // k and v come from qkv after the wait.
    const int64_t position = *token.position;
    const int64_t length = position + 1;
    const int64_t capacity = token.table[2 * token.numLayers];
    const int used = slicesUsed(length, splits);
    const int64_t chunk = (length + used - 1) / used;
    const int64_t start = split * chunk;
    const int64_t end = min(length, start + chunk);
    const int64_t slot = (int64_t(kvHead) * splits + split) * groups;
    if (split >= used || length > capacity) {
        // A slice past the used ones holds nothing (the merge reads only those below `used`); past the
        // capacity (the host never lets it happen) nothing is read or written.
        waitForPrerequisites();
        startDependents();
        return;
    }
    if (start >= end) {
        waitForPrerequisites();
        startDependents();
        // An empty slice below `used`: the merge reads it as zero.
        for (int i = tid; i < groups * kHeadDim; i += kThreads) {
            partials.out[slot * kHeadDim + i] = 0.f;
        }
        if (tid < groups) {
            partials.max[slot + tid] = -INFINITY;
            partials.sum[slot + tid] = 0.f;
        }
        return;
    }
    const int64_t cacheOffset = int64_t(kvHead) * capacity * kHeadDim;
    T* keys = reinterpret_cast<T*>(token.table[2 * token.layer]) + cacheOffset;
    T* values = reinterpret_cast<T*>(token.table[2 * token.layer + 1]) + cacheOffset;

    __shared__ __align__(16) T keyTile[kTileKeys][kStride];
    __shared__ __align__(16) T valueTile[kTileKeys][kStride];
    __shared__ __align__(16) T cosRow[kHeadDim];
    __shared__ __align__(16) T sinRow[kHeadDim];
    __shared__ __align__(16) float queries[kMaxGroups][kHeadDim]; // rotated, pre-scaled to log2 units
    __shared__ float weights[kMaxGroups][kTileKeys];
    __shared__ float runMax[kMaxGroups];
    __shared__ float runSum[kMaxGroups];
    __shared__ float rescale[kMaxGroups];
    auto vectorAt = [](const T* p) { return *reinterpret_cast<const uint4*>(p); };
    // Vector c of the step's own key (rotated) or value, from qkv: only after the wait.
    auto newRowVector = [&](int c, bool value) {
        const T* head = token.qkv + int64_t(token.numHeads + (value ? token.numKvHeads : 0) + kvHead) * kHeadDim;
        if (value) {
            return vectorAt(head + c * kVec);
        }
        const bool firstHalf = c * kVec < kHalf;
        const int partner = firstHalf ? c * kVec + kHalf : c * kVec - kHalf;
        return rotateHalfVector<T>(vectorAt(head + c * kVec), vectorAt(head + partner), vectorAt(cosRow + c * kVec),
                                   vectorAt(sinRow + c * kVec), firstHalf);
    };
    // A tile's key and value vectors into registers, all requested before any is used; the row at the
    // position is left zero here (beforeWait) or computed from qkv and written to the cache (after the wait).
    uint4 keyParts[kLoadsPerThread];
    uint4 valueParts[kLoadsPerThread];
    auto loadTile = [&](int64_t tile, bool beforeWait) {
        const int tileKeys = static_cast<int>(min(int64_t(kTileKeys), end - tile));
#pragma unroll
        for (int u = 0; u < kLoadsPerThread; ++u) {
            const int i = tid + u * kThreads;
            const int key = i / kRowVectors;
            const int c = i % kRowVectors;
            const bool inside = i < kTileVectors && key < tileKeys;
            const bool own = tile + key == position;
            const int64_t offset = (tile + key) * kHeadDim + c * kVec;
            keyParts[u] = inside && !own ? vectorAt(keys + offset) : make_uint4(0, 0, 0, 0);
            valueParts[u] = inside && !own ? vectorAt(values + offset) : make_uint4(0, 0, 0, 0);
            if (inside && own && !beforeWait) {
                keyParts[u] = newRowVector(c, false);
                valueParts[u] = newRowVector(c, true);
                *reinterpret_cast<uint4*>(keys + offset) = keyParts[u];
                *reinterpret_cast<uint4*>(values + offset) = valueParts[u];
            }
        }
    };
    auto storeTile = [&] {
#pragma unroll
        for (int u = 0; u < kLoadsPerThread; ++u) {
            const int i = tid + u * kThreads;
            if (i < kTileVectors) {
                *reinterpret_cast<uint4*>(&keyTile[i / kRowVectors][(i % kRowVectors) * kVec]) = keyParts[u];
                *reinterpret_cast<uint4*>(&valueTile[i / kRowVectors][(i % kRowVectors) * kVec]) = valueParts[u];
            }
        }
    };
    loadTile(start, true);
    const T* cosTable = token.cosTable + position * kHeadDim;
    const T* sinTable = token.sinTable + position * kHeadDim;
    if (tid < kRowVectors) {
        *reinterpret_cast<uint4*>(cosRow + tid * kVec) = vectorAt(cosTable + tid * kVec);
        *reinterpret_cast<uint4*>(sinRow + tid * kVec) = vectorAt(sinTable + tid * kVec);
    }
    if (tid < kMaxGroups) {
        runMax[tid] = -INFINITY;
        runSum[tid] = 0.f;
    }
    __syncthreads(); // the RoPE tables' row, for the rotations below
    waitForPrerequisites(); // qkv comes from the kernel before

    // The step's own row, if it falls in the first tile (it is in this slice's last one).
    if (end == length && position < start + kTileKeys) {
#pragma unroll
        for (int u = 0; u < kLoadsPerThread; ++u) {
            const int i = tid + u * kThreads;
            const int key = i / kRowVectors;
            if (i < kTileVectors && start + key == position) {
                const int64_t offset = position * kHeadDim + (i % kRowVectors) * kVec;
                keyParts[u] = newRowVector(i % kRowVectors, false);
                valueParts[u] = newRowVector(i % kRowVectors, true);
                *reinterpret_cast<uint4*>(keys + offset) = keyParts[u];
                *reinterpret_cast<uint4*>(values + offset) = valueParts[u];
            }
        }
    }
    storeTile(); // the first tile, before the rotations below (its registers are free again)
    // The group's query heads, rotated (a thread per vector); slice 0 writes them out for the capture.
    for (int i = tid; i < groups * kRowVectors; i += kThreads) {
        const int j = i / kRowVectors;
        const int c = i % kRowVectors;
        const int64_t head = int64_t(kvHead) * groups + j;
        const T* x = token.qkv + head * kHeadDim;
        const bool firstHalf = c * kVec < kHalf;
        const uint4 rotated = rotateHalfVector<T>(vectorAt(x + c * kVec), vectorAt(x + c * kVec + (firstHalf ? kHalf : -kHalf)),
                                                  vectorAt(cosRow + c * kVec), vectorAt(sinRow + c * kVec), firstHalf);
        if (split == 0) {
            *reinterpret_cast<uint4*>(token.qOut + head * kHeadDim + c * kVec) = rotated;
        }
        const Vec16<T> q(rotated);
#pragma unroll
        for (int e = 0; e < kVec; ++e) {
            queries[j][c * kVec + e] = q.v[e] * scaleLog2;
        }
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
        if (tile > start) {
            loadTile(tile, false);
            storeTile();
        }
        __syncthreads();
        // Scores: thread t takes key t % 32 for heads t / 32, t / 32 + kThreads / 32, ...; four partial sums
        // (vectors c, c + 1, ... in turn) instead of one chain of Dh dependent multiply-adds.
        {
            const int key = tid % kTileKeys;
            for (int j = tid / kTileKeys; j < groups; j += kThreads / kTileKeys) {
                constexpr int kSums = kRowVectors < 4 ? kRowVectors : 4;
                float dot[kSums] = {};
#pragma unroll 4
                for (int c = 0; c < kRowVectors; ++c) {
                    const Vec16<T> k(*reinterpret_cast<const uint4*>(&keyTile[key][c * kVec]));
#pragma unroll
                    for (int e = 0; e < kVec; ++e) {
                        dot[c % kSums] = fmaf(queries[j][c * kVec + e], k.v[e], dot[c % kSums]);
                    }
                }
                float score = dot[0];
#pragma unroll
                for (int p = 1; p < kSums; ++p) {
                    score += dot[p];
                }
                weights[j][key] = key < tileKeys ? score : -INFINITY;
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
    waitForPrerequisites();
    startDependents();
    const int head = blockIdx.x;
    const int kvHead = head / groups;
    const int j = head % groups;
    // Only the slices pass 1 used: the others would add exactly zero (weight 0 times output 0), so the
    // result is the same bits, with fewer dependent loads.
    const int used = slicesUsed(*position + 1, splits);
    auto slot = [&](int s) { return (int64_t(kvHead) * splits + s) * groups + j; };
    // This thread's dimension of every used slice's output, requested before the statistics are read, so
    // that all of the merge's loads are one round trip.
    const int d = threadIdx.x;
    float parts[kMaxSplits];
#pragma unroll
    for (int s = 0; s < kMaxSplits; ++s) {
        parts[s] = s < used && d < headDim ? partials.out[slot(s) * headDim + d] : 0.f;
    }
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
    if (d < headDim) {
        float value = 0.f;
#pragma unroll
        for (int s = 0; s < kMaxSplits; ++s) {
            if (s < used) {
                value += parts[s] * sliceWeight[s];
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
cudaError_t launchSplitAndCombine(const DecodeToken& token, void* out, float* rowMax, float* rowSum, Partials partials,
                                  int numHeads, int numKvHeads, int splits, const Launch& launch)
{
    const int groups = numHeads / numKvHeads;
    const float scaleLog2 = static_cast<float>(1.4426950408889634 / std::sqrt(double(kHeadDim)));
    const StepToken<T> typed{static_cast<const T*>(token.qkv), static_cast<const T*>(token.cosTable),
                             static_cast<const T*>(token.sinTable), token.position, token.cacheTable, token.layer,
                             token.numLayers, numHeads, numKvHeads, static_cast<T*>(token.qOut)};
    const cudaError_t first = launchKernel(splitKernel<T, kHeadDim, kMaxGroups>, dim3(splits, numKvHeads),
                                           dim3(kThreadsFor<T>), launch, typed, groups, splits, scaleLog2, partials);
    if (first != cudaSuccess) {
        return first;
    }
    static_assert(kHeadDim <= 1024, "the merge takes a thread per dimension");
    return launchKernel(combineKernel<T>, dim3(numHeads), dim3(kHeadDim < 32 ? 32 : kHeadDim),
                        launch, partials, token.position, static_cast<T*>(out), rowMax, rowSum, groups, splits, kHeadDim);
}

template <typename T, int kHeadDim>
cudaError_t launchForGroups(const DecodeToken& token, void* out, float* rowMax, float* rowSum, Partials partials,
                            int numHeads, int numKvHeads, int splits, const Launch& launch)
{
    if (numHeads / numKvHeads <= 8) {
        return launchSplitAndCombine<T, kHeadDim, 8>(token, out, rowMax, rowSum, partials, numHeads, numKvHeads, splits,
                                                     launch);
    }
    return launchSplitAndCombine<T, kHeadDim, 16>(token, out, rowMax, rowSum, partials, numHeads, numKvHeads, splits,
                                                  launch);
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

cudaError_t launchDecodeAttention(ElementType type, const DecodeToken& token, void* out, float* rowMax, float* rowSum,
                                  float* workspace, int numHeads, int numKvHeads, int headDim, int splits,
                                  const Launch& launch)
{
    const int groups = numKvHeads > 0 ? numHeads / numKvHeads : 0;
    if (!decodeAttentionSupports(headDim, groups) || numHeads % numKvHeads != 0 || splits < 1 || splits > kMaxSplits
        || !aligned16(token.qkv) || !aligned16(token.cosTable) || !aligned16(token.sinTable) || !aligned16(token.qOut)) {
        return cudaErrorInvalidValue;
    }
    const Partials partials = partialsOf(workspace, numKvHeads, groups, headDim, splits);
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        switch (headDim) {
        case 16:
            return launchForGroups<T, 16>(token, out, rowMax, rowSum, partials, numHeads, numKvHeads, splits, launch);
        case 64:
            return launchForGroups<T, 64>(token, out, rowMax, rowSum, partials, numHeads, numKvHeads, splits, launch);
        default:
            return launchForGroups<T, 128>(token, out, rowMax, rowSum, partials, numHeads, numKvHeads, splits, launch);
        }
    });
}

} // namespace vora::core::cuda
