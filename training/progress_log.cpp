#include "training/progress_log.h"

#include "core/io/durable_file.h"

#include <chrono>
#include <filesystem>

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
    // A line that cannot be written is an error, not a silent gap (a full disk shows here first).
    core::appendToFile(m_path, text + "\n", "progress.line");
    if (m_sink) {
        m_sink(text);
    }
}

} // namespace vora::training
