#pragma once
// What this build of the runtime can do: library versions, compute devices and optional parts.
// Used by `vora info` and the app's About box. Safe to call from any thread.
#include <cstdint>
#include <string>
#include <vector>

namespace vora::core {

struct ComputeDevice {
    std::string id;   // "cpu", "cuda:0", ...
    std::string name; // marketing name or CPU model
    int64_t totalMemoryBytes = 0;
    int64_t freeMemoryBytes = 0;
};

struct RuntimeInfo {
    std::string voraVersion;
    std::string torchVersion;
    std::string opencvVersion; // empty when built without OpenCV
    bool torchHasCuda = false; // LibTorch was built with CUDA
    int cpuThreads = 0;
    std::vector<ComputeDevice> devices;
    bool sentencePieceAvailable = false;
    std::string sentencePieceDetail;
};

RuntimeInfo runtimeInfo();

} // namespace vora::core
