#include "core/device/cuda_devices.h"
#include "core/build_config.h"

#include <torch/cuda.h>

#ifdef VORA_TORCH_HAS_CUDA
#include <cuda_runtime_api.h>
#endif

namespace vora::core {

bool torchBuiltWithCuda()
{
#ifdef VORA_TORCH_HAS_CUDA
    return true;
#else
    return false;
#endif
}

std::vector<ComputeDevice> cudaDevices()
{
    std::vector<ComputeDevice> devices;
    if (!torch::cuda::is_available()) {
        return devices;
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
#ifdef VORA_TORCH_HAS_CUDA
    // cudaMemGetInfo reads the current device, so the loop below switches it; the caller's is put back at the
    // end. Left on the last GPU, it sent the CUDA decode step's launches (which go by the current device) to
    // another GPU than the model's: an illegal memory access for a model on cuda:0 of a two-GPU host.
    int previous = -1;
    const bool hadDevice = cudaGetDevice(&previous) == cudaSuccess;
#endif
    for (int index = 0; index < count; ++index) {
        ComputeDevice device;
        device.id = "cuda:" + std::to_string(index);
#ifdef VORA_TORCH_HAS_CUDA
        cudaDeviceProp properties{};
        if (cudaGetDeviceProperties(&properties, index) == cudaSuccess) {
            device.name = properties.name;
            device.totalMemoryBytes = static_cast<int64_t>(properties.totalGlobalMem);
        }
        size_t freeBytes = 0;
        size_t totalBytes = 0;
        if (cudaSetDevice(index) == cudaSuccess && cudaMemGetInfo(&freeBytes, &totalBytes) == cudaSuccess) {
            device.freeMemoryBytes = static_cast<int64_t>(freeBytes);
        }
#else
        device.name = "CUDA device";
#endif
        devices.push_back(device);
    }
#ifdef VORA_TORCH_HAS_CUDA
    if (hadDevice) {
        (void)cudaSetDevice(previous);
    }
#endif
    return devices;
}

} // namespace vora::core
