#pragma once
// CUDA devices seen by LibTorch. Compiled against the CUDA runtime only when LibTorch has CUDA;
// a CPU-only LibTorch answers "no devices".
#include "core/device/runtime_info.h"

#include <vector>

namespace vora::core {

bool torchBuiltWithCuda();
std::vector<ComputeDevice> cudaDevices();

} // namespace vora::core
