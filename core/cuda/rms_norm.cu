// Residual add + RMSNorm of one token (core/cuda/decode_kernels.h). Eager order: hidden + delta rounded to
// the element type; then in float32 x * rsqrt(mean(x^2) + eps), rounded; then weight * that, rounded.
// One block; each thread keeps its elements in registers between the two passes, and loads its norm
// weights before waitForPrerequisites() (no kernel writes them), so with an overlapped launch they arrive
// while the previous kernel ends.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

namespace vora::core::cuda {
namespace {

constexpr int kThreads = 512;
constexpr int kPerThread = 32;
constexpr int kMaxSize = kThreads * kPerThread;

template <typename T>
__global__ void __launch_bounds__(kThreads) addRmsNormKernel(T* residual, const T* delta, const T* weight, T* out,
                                                              int d, float eps)
{
    float scale[kPerThread];
#pragma unroll
    for (int c = 0; c < kPerThread; ++c) {
        const int i = threadIdx.x + c * kThreads;
        scale[c] = i < d ? toFloat(weight[i]) : 0.f;
    }
    waitForPrerequisites();
    float hidden[kPerThread];
    float squares = 0.f;
#pragma unroll
    for (int c = 0; c < kPerThread; ++c) {
        const int i = threadIdx.x + c * kThreads;
        hidden[c] = 0.f;
        if (i < d) {
            float h = toFloat(residual[i]);
            if (delta) {
                h = addRounded<T>(h, toFloat(delta[i]));
                residual[i] = fromFloat<T>(h);
            }
            hidden[c] = h;
            squares += h * h;
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

} // namespace

int addRmsNormMaxSize() { return kMaxSize; }

cudaError_t launchAddRmsNorm(ElementType type, void* residual, const void* delta, const void* weight, void* out,
                             int d, float eps, const Launch& launch)
{
    if (d < 1 || d > kMaxSize) {
        return cudaErrorInvalidValue;
    }
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        return launchKernel(addRmsNormKernel<T>, dim3(1), dim3(kThreads), launch, static_cast<T*>(residual),
                            static_cast<const T*>(delta), static_cast<const T*>(weight), static_cast<T*>(out), d, eps);
    });
}

} // namespace vora::core::cuda
