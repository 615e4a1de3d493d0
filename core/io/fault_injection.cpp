#include "core/io/fault_injection.h"

#include "core/error.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace vora::core {
namespace {

using namespace std::string_view_literals;

constexpr auto kPoints = std::to_array<std::string_view>({
    // core/io: the steps every durable write goes through
    "file.write"sv,     // data written into a file being built (a failure here is a full disk)
    "file.fsync"sv,     // a built file flushed to the disk
    "file.rename"sv,    // a built file renamed over its final name
    "folder.rename"sv,  // a built folder renamed to its final name
    // training checkpoints (training/checkpoint_store.cpp)
    "checkpoint.tensors_written"sv,
    "checkpoint.manifest_written"sv,
    "checkpoint.complete"sv, // the checkpoint folder is in place
    "checkpoint.latest_updated"sv,
    "progress.line"sv, // a line appended to RUN/progress.jsonl
    // vora merge (training/lora_merge.cpp)
    "merge.shards_written"sv,
    "merge.complete"sv,
    // vora import-gguf (core/gguf/gguf_import.cpp)
    "gguf.weights_written"sv,
    "gguf.complete"sv,
    // the conversation store (app/storage/conversation_store.cpp)
    "store.image_written"sv,
    "store.before_commit"sv,
    "store.committed"sv,
});

struct FaultPlan {
    std::string name;    // empty: no fault
    long count = 1;      // fire on this visit
    int error = 0;       // 0: kill; else the errno to fail with
    std::string logPath; // empty: no log
    bool active() const { return !name.empty() || !logPath.empty(); }
};

int parseErrno(const std::string& text)
{
    static constexpr std::pair<std::string_view, int> kNames[] = {
        {"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EFBIG", EFBIG}, {"EDQUOT", EDQUOT}};
    for (const auto& [name, value] : kNames) {
        if (text == name) {
            return value;
        }
    }
    const int value = std::atoi(text.c_str());
    require(value > 0, ErrorCode::InvalidArgument, "VORA_FAULT: unknown errno \"" + text + "\"");
    return value;
}

FaultPlan readPlan()
{
    FaultPlan plan;
    if (const char* log = std::getenv("VORA_FAULT_LOG")) {
        plan.logPath = log;
    }
    const char* spec = std::getenv("VORA_FAULT");
    if (spec == nullptr || *spec == '\0') {
        return plan;
    }
    const std::string text(spec);
    const size_t first = text.find(':');
    plan.name = text.substr(0, first);
    if (first != std::string::npos) {
        const size_t second = text.find(':', first + 1);
        plan.count = std::max(1L, std::atol(text.substr(first + 1, second - first - 1).c_str()));
        if (second != std::string::npos) {
            plan.error = parseErrno(text.substr(second + 1));
        }
    }
    return plan;
}

const FaultPlan& plan()
{
    static const FaultPlan instance = readPlan();
    return instance;
}

void appendToLog(const std::string& path, std::string_view name)
{
    // O_APPEND makes each short line one atomic write, also across processes.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        const std::string line = std::string(name) + "\n";
        [[maybe_unused]] const ssize_t written = ::write(fd, line.data(), line.size());
        ::close(fd);
    }
}

} // namespace

std::span<const std::string_view> declaredFaultPoints()
{
    return kPoints;
}

int faultPoint(std::string_view name)
{
    const FaultPlan& faults = plan();
    if (!faults.active()) {
        return 0;
    }
    require(std::find(kPoints.begin(), kPoints.end(), name) != kPoints.end(), ErrorCode::Internal,
            "fault point \"" + std::string(name) + "\" is not declared in core/io/fault_injection.cpp");
    if (!faults.logPath.empty()) {
        appendToLog(faults.logPath, name);
    }
    if (name != faults.name) {
        return 0;
    }
    static std::atomic<long> visits{0};
    if (visits.fetch_add(1) + 1 != faults.count) {
        return 0;
    }
    if (faults.error != 0) {
        return faults.error;
    }
    ::kill(::getpid(), SIGKILL);
    ::pause();
    return 0;
}

} // namespace vora::core
