#include "core/build_config.h"
#include "core/device/memory_stats.h"

#include <sys/resource.h>

#ifdef VORA_TORCH_HAS_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <cuda_runtime_api.h>
#endif

namespace vora::core {

int64_t peakMemoryBytes(c10::Device device)
{
#ifdef VORA_TORCH_HAS_CUDA
    if (device.is_cuda()) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
        return stats.allocated_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)].peak;
    }
#endif
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

void resetPeakMemory(c10::Device device)
{
#ifdef VORA_TORCH_HAS_CUDA
    if (device.is_cuda()) {
        c10::cuda::CUDACachingAllocator::resetPeakStats(device.index());
    }
#else
    (void)device;
#endif
}

void synchronizeDevice(c10::Device device)
{
#ifdef VORA_TORCH_HAS_CUDA
    if (device.is_cuda()) {
        c10::cuda::OptionalCUDAGuard guard; // cudaDeviceSynchronize waits for the current device only
        if (device.has_index()) {
            guard.set_device(device);
        }
        cudaDeviceSynchronize();
    }
#else
    (void)device;
#endif
}

void releaseCachedMemory(c10::Device device)
{
#ifdef VORA_TORCH_HAS_CUDA
    if (device.is_cuda()) {
        c10::cuda::CUDACachingAllocator::emptyCache();
    }
#else
    (void)device;
#endif
}

} // namespace vora::core
