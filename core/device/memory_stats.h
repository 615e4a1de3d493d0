#pragma once
// Peak memory of the process (CPU: max resident set) or of the CUDA caching allocator.
#include <c10/core/Device.h>

#include <cstdint>

namespace vora::core {

int64_t peakMemoryBytes(c10::Device device);
void resetPeakMemory(c10::Device device);
void synchronizeDevice(c10::Device device);
// Hands the CUDA caching allocator's unused blocks back to the driver, so that another process (a
// training job) can have the memory a freed model held. Nothing to do on the CPU.
void releaseCachedMemory(c10::Device device);

} // namespace vora::core
