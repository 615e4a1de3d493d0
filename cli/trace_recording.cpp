#include "cli/trace_recording.h"

#include "core/error.h"

#include <torch/csrc/autograd/profiler_kineto.h>

#include <filesystem>
#include <set>

namespace vora::cli {
namespace {

namespace profiler = torch::autograd::profiler;
using torch::profiler::impl::ActivityType;
using torch::profiler::impl::ProfilerConfig;
using torch::profiler::impl::ProfilerState;

} // namespace

TraceRecording::TraceRecording(bool cuda)
{
    const ProfilerConfig config(ProfilerState::KINETO);
    std::set<ActivityType> activities{ActivityType::CPU};
    if (cuda) {
        activities.insert(ActivityType::CUDA);
    }
    try {
        profiler::prepareProfiler(config, activities);
        profiler::enableProfiler(config, activities);
    } catch (const std::exception& e) {
        throw core::Error(core::ErrorCode::InvalidArgument,
                          std::string("cannot record a trace with this LibTorch's profiler: ") + e.what());
    }
    m_recording = true;
}

TraceRecording::~TraceRecording()
{
    if (m_recording) {
        try {
            profiler::disableProfiler();
        } catch (...) {
            // nothing was asked of it: the recording is dropped
        }
    }
}

void TraceRecording::saveTo(const std::string& path)
{
    core::require(m_recording, core::ErrorCode::Internal, "trace already saved");
    m_recording = false;
    const std::unique_ptr<profiler::ProfilerResult> result = profiler::disableProfiler();
    std::error_code ignored;
    std::filesystem::remove(path, ignored); // the profiler reports a failed write only in its log
    result->save(path);
    core::require(std::filesystem::is_regular_file(path) && std::filesystem::file_size(path, ignored) > 0,
                  core::ErrorCode::Io, "could not write the trace to " + path);
}

} // namespace vora::cli
