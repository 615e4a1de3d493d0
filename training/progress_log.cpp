#include "training/progress_log.h"

#include "core/error.h"

#include <chrono>
#include <filesystem>
#include <fstream>

namespace vora::training {

ProgressLog::ProgressLog(std::string outDir, Sink sink)
    : m_path((std::filesystem::path(outDir) / "progress.jsonl").string())
    , m_sink(std::move(sink))
{
}

void ProgressLog::emit(const std::string& event, nlohmann::json fields)
{
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    nlohmann::json line = {{"event", event}, {"time", std::chrono::duration<double>(now).count()}};
    line.update(fields);
    const std::string text = line.dump();
    std::ofstream out(m_path, std::ios::app);
    out << text << "\n";
    out.flush();
    core::require(out.good(), core::ErrorCode::Io, m_path + ": cannot append a progress line");
    if (m_sink) {
        m_sink(text);
    }
}

} // namespace vora::training
