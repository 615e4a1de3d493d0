// Residual add + RMSNorm of each row (core/cuda/decode_kernels.h). Eager order: hidden + delta rounded to
// the element type; then in float32 x * rsqrt(mean(x^2) + eps), rounded; then weight * that, rounded.
// One block of 512 threads per row; each thread keeps its elements (8, 16 or 32, the fewest that cover the row) in
// registers between the two passes, and loads its norm weights before waitForPrerequisites() (no kernel
// writes them), so with an overlapped launch they arrive while the previous kernel ends.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

namespace vora::core::cuda {
namespace {

constexpr int kMaxThreads = 512;
constexpr int kMaxPerThread = 32;
constexpr int kMaxSize = kMaxThreads * kMaxPerThread;

template <typename T, int kThreads, int kPerThread>
__global__ void __launch_bounds__(kThreads) addRmsNormKernel(T* residual, const T* delta, const T* weight, T* out,
                                                              int d, float eps)
{
    const int64_t row = static_cast<int64_t>(blockIdx.x) * d; // where this block's row starts
    float scale[kPerThread];
#pragma unroll
    for (int c = 0; c < kPerThread; ++c) {
        const int i = threadIdx.x + c * kThreads;
        scale[c] = i < d ? toFloat(weight[i]) : 0.f;
    }
    waitForPrerequisites();
    // Every load of the thread first, then the residual writes: interleaved, each load had to wait for the
    // store before it (the compiler cannot tell that residual and delta do not overlap), a round trip to
    // L2 per element (measured: 4.8 us per norm in the decode step's chain on an H200).
    // This block's row: the pointers are moved once (kept in registers; one per element would not fit).
    residual += row;
    out += row;
    float hidden[kPerThread];
#pragma unroll
    for (int c = 0; c < kPerThread; ++c) {
        const int i = threadIdx.x + c * kThreads;
        hidden[c] = i < d ? toFloat(residual[i]) : 0.f;
        if (delta && i < d) {
            hidden[c] = addRounded<T>(hidden[c], toFloat(delta[row + i]));
        }
    }
    float squares = 0.f;
#pragma unroll
    for (int c = 0; c < kPerThread; ++c) {
        const int i = threadIdx.x + c * kThreads;
        if (i < d) {
            if (delta) {
                residual[i] = fromFloat<T>(hidden[c]);
            }
            squares += hidden[c] * hidden[c];
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
    for (int c = 0; c < kPerThread; ++c) {
        const int i = threadIdx.x + c * kThreads;
        if (i < d) {
            const float normed = mulRounded<T>(hidden[c], inverseRms);
            out[i] = fromFloat<T>(__fmul_rn(scale[c], normed));
        }
    }
}

template <typename T, int kThreads, int kPerThread>
cudaError_t launchWith(void* residual, const void* delta, const void* weight, void* out, int d, float eps,
                       const Launch& launch, int rows)
{
    return launchKernel(addRmsNormKernel<T, kThreads, kPerThread>, dim3(rows), dim3(kThreads), launch,
                        static_cast<T*>(residual), static_cast<const T*>(delta), static_cast<const T*>(weight),
                        static_cast<T*>(out), d, eps);
}

} // namespace

int addRmsNormMaxSize() { return kMaxSize; }

cudaError_t launchAddRmsNorm(ElementType type, void* residual, const void* delta, const void* weight, void* out,
                             int d, float eps, const Launch& launch, int rows)
{
    if (d < 1 || d > kMaxSize || rows < 1) {
        return cudaErrorInvalidValue;
    }
    // 512 threads, each with the fewest elements that cover the row (registers are allocated for all of them).
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        if (d <= kMaxThreads * 8) {
            return launchWith<T, kMaxThreads, 8>(residual, delta, weight, out, d, eps, launch, rows);
        }
        if (d <= kMaxThreads * 16) {
            return launchWith<T, kMaxThreads, 16>(residual, delta, weight, out, d, eps, launch, rows);
        }
        return launchWith<T, kMaxThreads, 32>(residual, delta, weight, out, d, eps, launch, rows);
    });
}

} // namespace vora::core::cuda
