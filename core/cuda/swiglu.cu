// SwiGLU of each row (core/cuda/decode_kernels.h): silu(gate) rounded as at::silu rounds it (x / (1 +
// exp(-x)) in float), times up, rounded as at::mul rounds it.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/element_math.cuh"
#include "core/cuda/launch.cuh"

namespace vora::core::cuda {
namespace {

template <typename T>
__global__ void swiGluKernel(const T* gateUp, T* out, int intermediate)
{
    startDependents();
    waitForPrerequisites();
    const int i = blockIdx.y * blockDim.x + threadIdx.x;
    if (i >= intermediate) {
        return;
    }
    gateUp += static_cast<int64_t>(blockIdx.x) * 2 * intermediate; // row blockIdx.x: [gate, up] in, [activated] out
    out += static_cast<int64_t>(blockIdx.x) * intermediate;
    const float gate = toFloat(gateUp[i]);
    const float silu = roundTo<T>(__fdiv_rn(gate, __fadd_rn(1.f, expf(-gate))));
    out[i] = fromFloat<T>(__fmul_rn(silu, toFloat(gateUp[intermediate + i])));
}

} // namespace

cudaError_t launchSwiGlu(ElementType type, const void* gateUp, void* out, int intermediate, const Launch& launch,
                         int rows)
{
    if (intermediate < 1 || rows < 1) {
        return cudaErrorInvalidValue;
    }
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        constexpr int threads = 256;
        return launchKernel(swiGluKernel<T>, dim3(rows, (intermediate + threads - 1) / threads), dim3(threads), launch,
                            static_cast<const T*>(gateUp), static_cast<T*>(out), intermediate);
    });
}

} // namespace vora::core::cuda
