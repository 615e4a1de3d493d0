#include "core/device/runtime_info.h"
#include "core/build_config.h"

#include "core/device/cuda_devices.h"
#include "core/sentencepiece/sentencepiece_library.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#ifdef VORA_HAVE_OPENCV
#include <opencv2/core/version.hpp>
#endif

#include <fstream>
#include <unistd.h>

namespace vora::core {
namespace {

std::string cpuModelName()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos) {
                return line.substr(line.find_first_not_of(' ', colon + 1));
            }
        }
    }
    return "CPU";
}

ComputeDevice cpuDevice()
{
    ComputeDevice device;
    device.id = "cpu";
    device.name = cpuModelName();
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long available = sysconf(_SC_AVPHYS_PAGES);
    const long pageSize = sysconf(_SC_PAGE_SIZE);
    device.totalMemoryBytes = static_cast<int64_t>(pages) * pageSize;
    device.freeMemoryBytes = static_cast<int64_t>(available) * pageSize;
    return device;
}

} // namespace

RuntimeInfo runtimeInfo()
{
    RuntimeInfo info;
    info.voraVersion = VORA_VERSION;
    info.torchVersion = TORCH_VERSION;
#ifdef VORA_HAVE_OPENCV
    info.opencvVersion = CV_VERSION;
#endif
    info.cpuThreads = at::get_num_threads();
    info.devices.push_back(cpuDevice());
    info.torchHasCuda = torchBuiltWithCuda();
    for (const ComputeDevice& gpu : cudaDevices()) {
        info.devices.push_back(gpu);
    }
    const SentencePieceModuleStatus spm = sentencePieceModuleStatus();
    info.sentencePieceAvailable = spm.available;
    info.sentencePieceDetail = spm.available ? spm.path : spm.detail;
    return info;
}

} // namespace vora::core
