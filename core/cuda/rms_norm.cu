// Residual add + RMSNorm of one token (core/cuda/decode_kernels.h). Eager order: hidden + delta rounded to
// the element type; then in float32 x * rsqrt(mean(x^2) + eps), rounded; then weight * that, rounded.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"

namespace vora::core::cuda {
namespace {

constexpr int kThreads = 512;

template <typename T>
__global__ void __launch_bounds__(kThreads) addRmsNormKernel(T* residual, const T* delta, const T* weight, T* out,
                                                              int d, float eps)
{
    float squares = 0.f;
    for (int i = threadIdx.x; i < d; i += kThreads) {
        float h = toFloat(residual[i]);
        if (delta) {
            h = addRounded<T>(h, toFloat(delta[i]));
            residual[i] = fromFloat<T>(h);
        }
        squares += h * h;
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
    for (int i = threadIdx.x; i < d; i += kThreads) {
        const float normed = mulRounded<T>(toFloat(residual[i]), inverseRms);
        out[i] = fromFloat<T>(__fmul_rn(toFloat(weight[i]), normed));
    }
}

} // namespace

cudaError_t launchAddRmsNorm(ElementType type, void* residual, const void* delta, const void* weight, void* out,
                             int d, float eps, cudaStream_t stream)
{
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        addRmsNormKernel<T><<<1, kThreads, 0, stream>>>(static_cast<T*>(residual), static_cast<const T*>(delta),
                                                        static_cast<const T*>(weight), static_cast<T*>(out), d, eps);
        return cudaGetLastError();
    });
}

} // namespace vora::core::cuda
