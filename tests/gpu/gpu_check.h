#pragma once
// A small assertion kit for the GPU test executables, which must run where there is no Qt (the GPU
// machine). Each executable lists its cases and calls runGpuCases(): every case runs (a failed check does not
// stop the others), failures print with file and line, and the exit code is 0 (all passed), 1 (failures) or
// 77 (no CUDA device: CTest reports the test as skipped, see SKIP_RETURN_CODE in tests/gpu/CMakeLists.txt).
#include <torch/cuda.h>

#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace gpu_check {

struct Tally {
    int checks = 0;
    int failures = 0;
};

inline Tally& tally()
{
    static Tally t;
    return t;
}

inline void record(bool ok, const char* file, int line, const std::string& what)
{
    ++tally().checks;
    if (!ok) {
        ++tally().failures;
        std::printf("  FAIL %s:%d: %s\n", file, line, what.c_str());
    }
}

using Case = std::pair<std::string, std::function<void()>>;

inline int runGpuCases(const char* suite, const std::vector<Case>& cases)
{
    if (!torch::cuda::is_available()) {
        std::printf("%s: SKIP (no CUDA device)\n", suite);
        return 77;
    }
    int failedCases = 0;
    for (const auto& [name, body] : cases) {
        const int before = tally().failures;
        try {
            body();
        } catch (const std::exception& error) {
            ++tally().failures;
            std::printf("  FAIL %s: exception: %s\n", name.c_str(), error.what());
        }
        const bool passed = tally().failures == before;
        failedCases += passed ? 0 : 1;
        std::printf("%s %s::%s\n", passed ? "PASS" : "FAIL", suite, name.c_str());
    }
    std::printf("%s: %zu cases, %d checks, %d failed checks, %d failed cases\n", suite, cases.size(), tally().checks,
                tally().failures, failedCases);
    return failedCases == 0 ? 0 : 1;
}

} // namespace gpu_check

// CHECK(condition, message-expression): message is built only on failure.
#define GPU_CHECK(condition, message)                                                                            \
    do {                                                                                                         \
        const bool gpuCheckOk = static_cast<bool>(condition);                                                    \
        gpu_check::record(gpuCheckOk, __FILE__, __LINE__, gpuCheckOk ? std::string() : std::string(message));    \
    } while (false)
