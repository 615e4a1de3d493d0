// RoPE on q and k of each row (token) plus the KV-cache writes (core/cuda/decode_kernels.h). Eager computes
// x * cos + rotate_half(x) * sin with each product and the sum rounded to the element type; so does this.
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
        const int threads = headDim < 32 ? 32 : (headDim > 256 ? 256 : headDim);
        return launchKernel(ropeStoreKernel<T>, dim3(rows, numHeads + 2 * numKvHeads), dim3(threads), launch,
                            static_cast<const T*>(qkv), static_cast<const T*>(cosTable),
                            static_cast<const T*>(sinTable), position, cacheTable, layer, numLayers,
                            static_cast<T*>(qOut), numHeads, numKvHeads, headDim);
    });
}

} // namespace vora::core::cuda
