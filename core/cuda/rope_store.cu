// RoPE on q and k of each row (token) plus the KV-cache writes (core/cuda/decode_kernels.h). Eager computes
// x * cos + rotate_half(x) * sin with each product and the sum rounded to the element type; so does this.
// Two kernels, the same arithmetic: where half a head is a whole number of 16-byte vectors (and the
// pointers allow), a thread takes one vector of a head's first half and the matching one of its second
// half (the pair rotate_half mixes), with 16-byte loads and stores (rotateHalfVector, also used by the
// decode attention for its one token); else a thread per element. The decode step's one token does not
// come here: its RoPE and cache write run inside the decode attention kernel (decode_attention.cu).
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

namespace vora::core::cuda {
namespace {

template <typename T>
__global__ void ropeStoreKernel(const T* qkv, const T* cosTable, const T* sinTable, const int64_t* position,
                                const int64_t* cacheTable, int layer, int numLayers, T* qOut, int numHeads,
                                int numKvHeads, int headDim)
{
    startDependents();
    waitForPrerequisites();
    const int head = blockIdx.y; // q heads, then k heads, then v heads
    const int64_t row = blockIdx.x; // the token at *position + row
    const int64_t pos = *position + row;
    qkv += row * (numHeads + 2 * numKvHeads) * headDim;
    qOut += row * numHeads * headDim;
    const int64_t capacity = cacheTable[2 * numLayers];
    const T* x = qkv + static_cast<int64_t>(head) * headDim;
    const int half = headDim / 2;
    const bool isV = head >= numHeads + numKvHeads;
    const bool isK = !isV && head >= numHeads;
    T* keys = reinterpret_cast<T*>(cacheTable[2 * layer]);
    T* values = reinterpret_cast<T*>(cacheTable[2 * layer + 1]);
    const int kvHead = isV ? head - numHeads - numKvHeads : head - numHeads;
    const int64_t cacheRow = (static_cast<int64_t>(kvHead) * capacity + pos) * headDim;
    if ((isK || isV) && pos >= capacity) {
        return; // the host never lets this happen; never write outside the storage if it did
    }
    for (int i = threadIdx.x; i < headDim; i += blockDim.x) {
        if (isV) {
            values[cacheRow + i] = x[i];
            continue;
        }
        const float value = toFloat(x[i]);
        const float rotated = i < half ? -toFloat(x[i + half]) : toFloat(x[i - half]);
        const float c = toFloat(cosTable[pos * headDim + i]);
        const float s = toFloat(sinTable[pos * headDim + i]);
        const T result = fromFloat<T>(__fadd_rn(mulRounded<T>(value, c), mulRounded<T>(rotated, s)));
        if (isK) {
            keys[cacheRow + i] = result;
        } else {
            qOut[static_cast<int64_t>(head) * headDim + i] = result;
        }
    }
}

// The vector form: thread t of row blockIdx.x takes head t / perHead and the vectors at (t % perHead) * kVec
// of that head's two halves.
template <typename T>
__global__ void ropeStoreVectorKernel(const T* qkv, const T* cosTable, const T* sinTable, const int64_t* position,
                                      const int64_t* cacheTable, int layer, int numLayers, T* qOut, int numHeads,
                                      int numKvHeads, int headDim)
{
    constexpr int kVec = Vec16<T>::kCount;
    startDependents();
    waitForPrerequisites();
    const int half = headDim / 2;
    const int perHead = half / kVec;
    const int t = blockIdx.y * blockDim.x + threadIdx.x;
    const int head = t / perHead; // q heads, then k heads, then v heads
    if (head >= numHeads + 2 * numKvHeads) {
        return;
    }
    const int i = (t % perHead) * kVec; // in the first half; i + half in the second
    const int64_t row = blockIdx.x;
    const int64_t pos = *position + row;
    const int64_t capacity = cacheTable[2 * numLayers];
    const T* x = qkv + row * (numHeads + 2 * numKvHeads) * headDim + static_cast<int64_t>(head) * headDim;
    const bool isV = head >= numHeads + numKvHeads;
    const bool isK = !isV && head >= numHeads;
    const uint4 low = *reinterpret_cast<const uint4*>(x + i);
    const uint4 high = *reinterpret_cast<const uint4*>(x + i + half);
    T* target;
    if (isK || isV) {
        if (pos >= capacity) {
            return; // the host never lets this happen; never write outside the storage if it did
        }
        const int kvHead = isV ? head - numHeads - numKvHeads : head - numHeads;
        target = reinterpret_cast<T*>(cacheTable[2 * layer + (isV ? 1 : 0)])
            + (static_cast<int64_t>(kvHead) * capacity + pos) * headDim;
    } else {
        target = qOut + row * numHeads * headDim + static_cast<int64_t>(head) * headDim;
    }
    if (isV) {
        *reinterpret_cast<uint4*>(target + i) = low;
        *reinterpret_cast<uint4*>(target + i + half) = high;
        return;
    }
    const T* cosRow = cosTable + pos * headDim;
    const T* sinRow = sinTable + pos * headDim;
    auto at = [](const T* p) { return *reinterpret_cast<const uint4*>(p); };
    *reinterpret_cast<uint4*>(target + i) = rotateHalfVector<T>(low, high, at(cosRow + i), at(sinRow + i), true);
    *reinterpret_cast<uint4*>(target + i + half) =
        rotateHalfVector<T>(high, low, at(cosRow + i + half), at(sinRow + i + half), false);
}

} // namespace

cudaError_t launchRopeStore(ElementType type, const void* qkv, const void* cosTable, const void* sinTable,
                            const int64_t* position, const int64_t* cacheTable, int layer, int numLayers, void* qOut,
                            int numHeads, int numKvHeads, int headDim, const Launch& launch, int rows)
{
    if (rows < 1) {
        return cudaErrorInvalidValue;
    }
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        constexpr int vector = Vec16<T>::kCount;
        const int heads = numHeads + 2 * numKvHeads;
        // Every row, head and half starts on a 16-byte boundary when half a head is whole vectors and the
        // first row's q, k, v, the q output and the tables do (the cache rows too: their starts are
        // multiples of headDim).
        if (headDim % (2 * vector) == 0 && aligned16(qkv) && aligned16(cosTable) && aligned16(sinTable) && aligned16(qOut)) {
            constexpr int threads = 128;
            const int perRow = heads * (headDim / 2 / vector);
            return launchKernel(ropeStoreVectorKernel<T>, dim3(rows, (perRow + threads - 1) / threads), dim3(threads),
                                launch, static_cast<const T*>(qkv), static_cast<const T*>(cosTable),
                                static_cast<const T*>(sinTable), position, cacheTable, layer, numLayers,
                                static_cast<T*>(qOut), numHeads, numKvHeads, headDim);
        }
        const int threads = headDim < 32 ? 32 : (headDim > 256 ? 256 : headDim);
        return launchKernel(ropeStoreKernel<T>, dim3(rows, heads), dim3(threads), launch,
                            static_cast<const T*>(qkv), static_cast<const T*>(cosTable),
                            static_cast<const T*>(sinTable), position, cacheTable, layer, numLayers,
                            static_cast<T*>(qOut), numHeads, numKvHeads, headDim);
    });
}

} // namespace vora::core::cuda
