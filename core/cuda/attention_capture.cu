// Image attention capture after a graph decode step (core/cuda/decode_kernels.h,
// launchImageAttentionCapture; docs/attention-maps.md). A grid-stride loop over (layer, 32 image keys):
// the block puts the layer's query heads in shared memory (scaled to log2 units as the decode attention
// kernel scales them), then thread (x, y) takes image key x of the chunk for KV head y, reads its cached key
// row once and scores it against every query head of that group as that kernel does (one fused
// multiply-add per dimension in order), so
//   probability = exp2(score - rowMax * log2(e)) / rowSum
// is the model's softmax entry for that key. Per head, or summed over the heads of the block (shared
// memory) and divided by H for the head mean. Everything it needs (the output, the step's row, the image
// spans) is read from device memory, so one captured launch serves every step and every conversation.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

#include <cmath>

namespace vora::core::cuda {
namespace {

constexpr int kKeysPerChunk = 32; // a warp's lanes
constexpr int kMaxCaptureKvHeads = 32;
constexpr int kMaxCaptureHeads = 64; // the query heads' shared memory: 32 KB at head size 128
constexpr int kMaxSpans = 64;

template <typename T, int kHeadDim, int kMaxGroups, bool kPerHead>
__global__ void captureKernel(const T* queries, const float* rowMax, const float* rowSum, const int64_t* cacheTable,
                              const int64_t* position, const int64_t* capture, int numLayers, int numHeads, int groups,
                              float scaleLog2)
{
    constexpr int kVec = Vec16<T>::kCount;
    constexpr int kRowVectors = kHeadDim / kVec;
    constexpr int kQueryBatch = 4; // query vectors each thread requests at once
    waitForPrerequisites(); // queries, row statistics and the cache rows come from the kernels before
    startDependents();
    float* out = reinterpret_cast<float*>(capture[0]);
    const int64_t row = *position - capture[1];
    if (out == nullptr || row < 0 || row >= capture[2]) {
        return; // the same for every block: no barrier is skipped by some threads only
    }
    const int spans = static_cast<int>(min(capture[3], int64_t(kMaxSpans)));
    int64_t patches = 0;
    for (int s = 0; s < spans; ++s) {
        patches += capture[5 + 2 * s];
    }
    const int64_t length = *position + 1;
    const int64_t capacity = cacheTable[2 * numLayers];
    const int64_t chunks = (patches + kKeysPerChunk - 1) / kKeysPerChunk;
    const int kvHead = threadIdx.y;
    const int tid = threadIdx.y * kKeysPerChunk + threadIdx.x;
    const int threads = kKeysPerChunk * static_cast<int>(blockDim.y);
    const int queryVectors = numHeads * kRowVectors;
    // The layer's query heads, scaled to log2 units as the attention kernel scales them; every lane of a warp
    // reads the same one (a broadcast).
    __shared__ __align__(16) float scaledQueries[kMaxCaptureHeads * kHeadDim];
    __shared__ float headSums[kMaxCaptureKvHeads][kKeysPerChunk + 1];

    for (int64_t item = blockIdx.x; item < numLayers * chunks; item += gridDim.x) {
        const int layer = static_cast<int>(item / chunks);
        const int64_t patch = (item % chunks) * kKeysPerChunk + threadIdx.x;
        __syncthreads(); // the previous item's reads of scaledQueries and headSums are done
        const uint4* layerQueries = reinterpret_cast<const uint4*>(queries + int64_t(layer) * numHeads * kHeadDim);
        for (int base = tid; base < queryVectors; base += kQueryBatch * threads) {
            uint4 parts[kQueryBatch];
#pragma unroll
            for (int u = 0; u < kQueryBatch; ++u) {
                const int i = base + u * threads;
                parts[u] = i < queryVectors ? layerQueries[i] : make_uint4(0, 0, 0, 0);
            }
#pragma unroll
            for (int u = 0; u < kQueryBatch; ++u) {
                const int i = base + u * threads;
                if (i < queryVectors) {
                    const Vec16<T> v(parts[u]);
#pragma unroll
                    for (int e = 0; e < kVec; ++e) {
                        scaledQueries[i * kVec + e] = v.v[e] * scaleLog2;
                    }
                }
            }
        }
        __syncthreads();

        int64_t key = -1;
        int64_t before = 0;
        for (int s = 0; s < spans; ++s) {
            const int64_t count = capture[5 + 2 * s];
            if (patch >= before && patch < before + count) {
                key = capture[4 + 2 * s] + (patch - before);
            }
            before += count;
        }
        float headTotal = 0.f;
        if (key >= 0 && key < length) {
            const uint4* keyRow = reinterpret_cast<const uint4*>(reinterpret_cast<const T*>(cacheTable[2 * layer])
                                                                 + (int64_t(kvHead) * capacity + key) * kHeadDim);
            uint4 keyParts[kRowVectors];
#pragma unroll
            for (int c = 0; c < kRowVectors; ++c) {
                keyParts[c] = keyRow[c];
            }
            float dots[kMaxGroups];
#pragma unroll
            for (int j = 0; j < kMaxGroups; ++j) {
                dots[j] = 0.f;
            }
#pragma unroll
            for (int c = 0; c < kRowVectors; ++c) {
                const Vec16<T> k(keyParts[c]);
#pragma unroll
                for (int j = 0; j < kMaxGroups; ++j) {
                    if (j < groups) {
                        const float* q = &scaledQueries[(kvHead * groups + j) * kHeadDim + c * kVec];
#pragma unroll
                        for (int e = 0; e < kVec; ++e) {
                            dots[j] = fmaf(q[e], k.v[e], dots[j]);
                        }
                    }
                }
            }
#pragma unroll
            for (int j = 0; j < kMaxGroups; ++j) {
                if (j < groups) {
                    const int head = kvHead * groups + j;
                    const int64_t stat = int64_t(layer) * numHeads + head;
                    const float p = exp2f(dots[j] - rowMax[stat] * 1.44269504088896341f) / rowSum[stat];
                    if constexpr (kPerHead) {
                        out[((row * numLayers + layer) * numHeads + head) * patches + patch] = p;
                    } else {
                        headTotal += p;
                    }
                }
            }
        }
        if constexpr (!kPerHead) {
            headSums[kvHead][threadIdx.x] = headTotal;
            __syncthreads();
            if (kvHead == 0 && patch < patches) {
                float sum = 0.f;
                for (int g = 0; g < static_cast<int>(blockDim.y); ++g) {
                    sum += headSums[g][threadIdx.x];
                }
                out[(row * numLayers + layer) * patches + patch] = sum / static_cast<float>(numHeads);
            }
        }
    }
}

template <typename T, int kHeadDim, int kMaxGroups>
cudaError_t launchFor(bool perHead, const void* queries, const float* rowMax, const float* rowSum,
                      const int64_t* cacheTable, const int64_t* position, const int64_t* captureTable, int numLayers,
                      int numHeads, int numKvHeads, int blocks, const Launch& launch)
{
    const int groups = numHeads / numKvHeads;
    const float scaleLog2 = static_cast<float>(1.4426950408889634 / std::sqrt(double(kHeadDim)));
    const dim3 grid(static_cast<unsigned>(blocks));
    const dim3 block(kKeysPerChunk, static_cast<unsigned>(numKvHeads));
    const auto* q = static_cast<const T*>(queries);
    if (perHead) {
        return launchKernel(captureKernel<T, kHeadDim, kMaxGroups, true>, grid, block, launch, q, rowMax, rowSum,
                            cacheTable, position, captureTable, numLayers, numHeads, groups, scaleLog2);
    }
    return launchKernel(captureKernel<T, kHeadDim, kMaxGroups, false>, grid, block, launch, q, rowMax, rowSum,
                        cacheTable, position, captureTable, numLayers, numHeads, groups, scaleLog2);
}

template <typename T, int kHeadDim>
cudaError_t launchForHeadDim(bool perHead, const void* queries, const float* rowMax, const float* rowSum,
                             const int64_t* cacheTable, const int64_t* position, const int64_t* captureTable,
                             int numLayers, int numHeads, int numKvHeads, int blocks, const Launch& launch)
{
    if (numHeads / numKvHeads <= 8) {
        return launchFor<T, kHeadDim, 8>(perHead, queries, rowMax, rowSum, cacheTable, position, captureTable,
                                         numLayers, numHeads, numKvHeads, blocks, launch);
    }
    return launchFor<T, kHeadDim, 16>(perHead, queries, rowMax, rowSum, cacheTable, position, captureTable, numLayers,
                                      numHeads, numKvHeads, blocks, launch);
}

} // namespace

int attentionCaptureMaxSpans() { return kMaxSpans; }

int attentionCaptureTableEntries() { return 4 + 2 * kMaxSpans; }

int attentionCaptureMaxHeads() { return kMaxCaptureHeads; }

int attentionCaptureMaxKvHeads() { return kMaxCaptureKvHeads; }

bool attentionCaptureSupports(int headDim, int numHeads, int numKvHeads)
{
    return numKvHeads >= 1 && numKvHeads <= kMaxCaptureKvHeads && numHeads <= kMaxCaptureHeads
        && numHeads % numKvHeads == 0
        && decodeAttentionSupports(headDim, numHeads / numKvHeads);
}

cudaError_t launchImageAttentionCapture(ElementType type, const void* queries, const float* rowMax, const float* rowSum,
                                        const int64_t* cacheTable, const int64_t* position,
                                        const int64_t* captureTable, int numLayers, int numHeads, int numKvHeads,
                                        int headDim, bool perHead, int blocks, const Launch& launch)
{
    if (!attentionCaptureSupports(headDim, numHeads, numKvHeads) || blocks < 1) {
        return cudaErrorInvalidValue;
    }
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        switch (headDim) {
        case 16:
            return launchForHeadDim<T, 16>(perHead, queries, rowMax, rowSum, cacheTable, position, captureTable,
                                           numLayers, numHeads, numKvHeads, blocks, launch);
        case 64:
            return launchForHeadDim<T, 64>(perHead, queries, rowMax, rowSum, cacheTable, position, captureTable,
                                           numLayers, numHeads, numKvHeads, blocks, launch);
        default:
            return launchForHeadDim<T, 128>(perHead, queries, rowMax, rowSum, cacheTable, position, captureTable,
                                            numLayers, numHeads, numKvHeads, blocks, launch);
        }
    });
}

} // namespace vora::core::cuda
