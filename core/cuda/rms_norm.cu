// Residual add + RMSNorm of each row (core/cuda/decode_kernels.h). Eager order: hidden + delta rounded to
// the element type; then in float32 x * rsqrt(mean(x^2) + eps), rounded; then weight * that, rounded.
// One block of 512 threads per row; each thread keeps its elements in registers between the two passes,
// in units of one 16-byte vector (1, 2 or 4 per thread) where the row is whole vectors and the pointers
// allow, else of one element (8, 16 or 32 per thread): the fewest that cover the row. It loads its norm
// weights before waitForPrerequisites() (no kernel writes them), so with an overlapped launch they arrive
// while the previous kernel ends.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

namespace vora::core::cuda {
namespace {

constexpr int kThreads = 512;
constexpr int kMaxPerThread = 32;
constexpr int kMaxSize = kThreads * kMaxPerThread;

// kUnits units of kVec elements per thread; unit u of thread t starts at element (t + u * kThreads) * kVec.
template <typename T, int kUnits, int kVec>
__global__ void __launch_bounds__(kThreads) addRmsNormKernel(T* residual, const T* delta, const T* weight, T* out,
                                                              int d, float eps)
{
    const int64_t row = static_cast<int64_t>(blockIdx.x) * d; // where this block's row starts
    float scale[kUnits][kVec];
#pragma unroll
    for (int u = 0; u < kUnits; ++u) {
        const int i = (threadIdx.x + u * kThreads) * kVec;
        if (i < d) {
            loadElements<T, kVec>(weight + i, scale[u]);
        }
    }
    waitForPrerequisites();
    // Every load of the thread first, then the residual writes: interleaved, each load had to wait for the
    // store before it (the compiler cannot tell that residual and delta do not overlap), a round trip to
    // L2 per element (measured: 4.8 us per norm in the decode step's chain on an H200).
    // This block's row: the pointers are moved once (kept in registers; one per element would not fit).
    residual += row;
    out += row;
    float hidden[kUnits][kVec];
#pragma unroll
    for (int u = 0; u < kUnits; ++u) {
        const int i = (threadIdx.x + u * kThreads) * kVec;
        if (i < d) {
            loadElements<T, kVec>(residual + i, hidden[u]);
            if (delta) {
                float added[kVec];
                loadElements<T, kVec>(delta + row + i, added);
#pragma unroll
                for (int e = 0; e < kVec; ++e) {
                    hidden[u][e] = addRounded<T>(hidden[u][e], added[e]);
                }
            }
        }
    }
    float squares = 0.f;
#pragma unroll
    for (int u = 0; u < kUnits; ++u) {
        const int i = (threadIdx.x + u * kThreads) * kVec;
        if (i < d) {
            if (delta) {
                storeElements<T, kVec>(residual + i, hidden[u]);
            }
#pragma unroll
            for (int e = 0; e < kVec; ++e) {
                squares += hidden[u][e] * hidden[u][e];
            }
        }
    }
    __shared__ float partial[kThreads / 32];
    squares = warpSum(squares);
    if (threadIdx.x % 32 == 0) {
        partial[threadIdx.x / 32] = squares;
    }
    __syncthreads();
    __shared__ float inverseRms;
    if (threadIdx.x < 32) {
        float total = threadIdx.x < kThreads / 32 ? partial[threadIdx.x] : 0.f;
        total = warpSum(total);
        if (threadIdx.x == 0) {
            inverseRms = rsqrtf(total * (1.f / static_cast<float>(d)) + eps); // at::mean multiplies by 1/d
        }
    }
    __syncthreads();
    startDependents(); // what is left is writing out
#pragma unroll
    for (int u = 0; u < kUnits; ++u) {
        const int i = (threadIdx.x + u * kThreads) * kVec;
        if (i < d) {
            float result[kVec];
#pragma unroll
            for (int e = 0; e < kVec; ++e) {
                result[e] = __fmul_rn(scale[u][e], mulRounded<T>(hidden[u][e], inverseRms));
            }
            storeElements<T, kVec>(out + i, result);
        }
    }
}

template <typename T, int kUnits, int kVec>
cudaError_t launchWith(void* residual, const void* delta, const void* weight, void* out, int d, float eps,
                       const Launch& launch, int rows)
{
    return launchKernel(addRmsNormKernel<T, kUnits, kVec>, dim3(rows), dim3(kThreads), launch, static_cast<T*>(residual),
                        static_cast<const T*>(delta), static_cast<const T*>(weight), static_cast<T*>(out), d, eps);
}

} // namespace

int addRmsNormMaxSize() { return kMaxSize; }

cudaError_t launchAddRmsNorm(ElementType type, void* residual, const void* delta, const void* weight, void* out,
                             int d, float eps, const Launch& launch, int rows)
{
    if (d < 1 || d > kMaxSize || rows < 1) {
        return cudaErrorInvalidValue;
    }
    // The fewest units per thread that cover the row (registers are allocated for all of them).
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        constexpr int vector = Vec16<T>::kCount;
        // Every row starts on a 16-byte boundary when the row is whole vectors and the first row does.
        const bool vectors = d % vector == 0 && aligned16(residual) && aligned16(weight) && aligned16(out)
            && (!delta || aligned16(delta));
        if (vectors && d <= kThreads * vector) {
            return launchWith<T, 1, vector>(residual, delta, weight, out, d, eps, launch, rows);
        }
        if (vectors && d <= kThreads * vector * 2) {
            return launchWith<T, 2, vector>(residual, delta, weight, out, d, eps, launch, rows);
        }
        if (vectors && d <= kThreads * vector * 4) {
            return launchWith<T, 4, vector>(residual, delta, weight, out, d, eps, launch, rows);
        }
        if (d <= kThreads * 8) {
            return launchWith<T, 8, 1>(residual, delta, weight, out, d, eps, launch, rows);
        }
        if (d <= kThreads * 16) {
            return launchWith<T, 16, 1>(residual, delta, weight, out, d, eps, launch, rows);
        }
        return launchWith<T, 32, 1>(residual, delta, weight, out, d, eps, launch, rows);
    });
}

} // namespace vora::core::cuda
