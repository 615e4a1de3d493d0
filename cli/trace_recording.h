#pragma once
// A Chrome trace (chrome://tracing, ui.perfetto.dev) of what runs between start and save: LibTorch's
// operators and the runtime's own scopes (vora::layout, vora::embed, vora::prefill, vora::decode) on the
// host and, on CUDA, every kernel and copy on the device (through LibTorch's Kineto profiler and CUPTI).
// For `vora bench --trace`; recording slows what it records, so benchmarks time runs without it.
#include <string>

namespace vora::cli {

class TraceRecording {
public:
    // Starts recording the host and, when `cuda`, the device. Throws Error(InvalidArgument) when this
    // LibTorch cannot record (built without its profiler).
    explicit TraceRecording(bool cuda);
    ~TraceRecording(); // stops a recording not yet saved, keeping nothing
    TraceRecording(const TraceRecording&) = delete;
    TraceRecording& operator=(const TraceRecording&) = delete;

    // Stops recording and writes the trace to path (JSON). Throws Error(Io) when it cannot be written.
    void saveTo(const std::string& path);

private:
    bool m_recording = false;
};

} // namespace vora::cli
