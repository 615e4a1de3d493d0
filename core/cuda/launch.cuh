#pragma once
// How the decode kernels are launched (core/cuda/decode_kernels.h, struct Launch) and the two device-side
// calls that make an overlapped launch safe.
//
// With Launch::overlap, a kernel is launched with programmatic stream serialization (Hopper and later): it
// may start while the kernel before it on the stream is still running, as soon as every block of that
// kernel has called startDependents() (or exited). Its blocks then run what does not depend on the previous
// kernels (reading weights, which no kernel writes) and call waitForPrerequisites() before the first read of
// anything an earlier kernel writes and before their first write. Kernels that read much call
// startDependents() late, once their own loads are done: called at the start, every following kernel
// launched early too, and their waiting blocks and early weight loads slowed the running one (measured:
// 181 vs 191 tokens/s on an H200). That call returns once the previous
// kernel has completed and its writes are visible; because every decode kernel makes it (unconditionally,
// before any early return), completion is transitive: when a kernel has passed its wait, every kernel
// before it on the stream has completed. Without the attribute both calls are no-ops, so one kernel
// serves both launches, and inside CUDA graph capture the overlap becomes a programmatic edge.
#include "core/cuda/decode_kernels.h"

#include <cuda_runtime.h>

namespace vora::core::cuda {

// Lets the next kernel on the stream start launching its blocks (they wait in waitForPrerequisites()).
__device__ __forceinline__ void startDependents()
{
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

// Returns once the kernels this one was launched after have completed and their writes are visible.
__device__ __forceinline__ void waitForPrerequisites()
{
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

// Launches kernel<<<grid, block, 0, launch.stream>>>(args...), overlapped with the previous kernel when
// launch.overlap is set. Returns the launch's status.
template <typename... Params, typename... Args>
cudaError_t launchKernel(void (*kernel)(Params...), dim3 grid, dim3 block, const Launch& launch, Args... args)
{
    cudaLaunchConfig_t config{};
    config.gridDim = grid;
    config.blockDim = block;
    config.dynamicSmemBytes = 0;
    config.stream = launch.stream;
    cudaLaunchAttribute overlap{};
    overlap.id = cudaLaunchAttributeProgrammaticStreamSerialization;
    overlap.val.programmaticStreamSerializationAllowed = 1;
    config.attrs = &overlap;
    config.numAttrs = launch.overlap ? 1 : 0;
    return cudaLaunchKernelEx(&config, kernel, static_cast<Params>(args)...);
}

} // namespace vora::core::cuda
