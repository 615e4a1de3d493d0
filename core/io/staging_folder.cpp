#include "core/io/staging_folder.h"

#include "core/error.h"
#include "core/io/durable_file.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace vora::core {
namespace fs = std::filesystem;

namespace {

std::string stagingPrefix(const fs::path& target)
{
    return "." + target.filename().string() + ".partial-";
}

fs::path parentOf(const fs::path& target)
{
    return target.has_parent_path() ? target.parent_path() : fs::path(".");
}

// Not fs::remove_all: on the GPU machine (gVisor, GCC 13's libstdc++) its descriptor-relative walk
// segfaulted inside checkpoint pruning (docs/demo-model.md, run 1). Staging folders are flat, so a
// plain walk with directory_iterator and remove does. Errors are ignored: this is cleanup.
void removeTree(const fs::path& folder)
{
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(folder, ec))) {
        return;
    }
    if (fs::is_directory(fs::symlink_status(folder, ec))) {
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
            removeTree(entry.path());
        }
    }
    fs::remove(folder, ec);
}

bool processIsGone(const std::string& pidText)
{
    char* end = nullptr;
    const long pid = std::strtol(pidText.c_str(), &end, 10);
    return pid > 0 && *end == '\0' && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

} // namespace

void removeStaleStaging(const fs::path& target)
{
    const std::string prefix = stagingPrefix(target);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(parentOf(target), ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(prefix) && processIsGone(name.substr(prefix.size()))) {
            removeTree(entry.path());
        }
    }
}

StagingFolder::StagingFolder(fs::path target) : m_target(std::move(target))
{
    const fs::path parent = parentOf(m_target);
    std::error_code ec;
    fs::create_directories(parent, ec);
    require(!ec, ErrorCode::Io, parent.string() + ": cannot create the folder: " + ec.message());
    removeStaleStaging(m_target);
    m_path = parent / (stagingPrefix(m_target) + std::to_string(::getpid()));
    removeTree(m_path); // a leftover of this very pid (an earlier build in this process)
    require(fs::create_directory(m_path, ec) && !ec, ErrorCode::Io,
            m_path.string() + ": cannot create the temporary folder: " + (ec ? ec.message() : "it exists"));
}

StagingFolder::~StagingFolder()
{
    if (!m_committed) {
        removeTree(m_path);
    }
}

void StagingFolder::commit(Existing existing)
{
    syncDirectory(m_path.string());
    std::error_code ec;
    if (existing == Existing::Exchange && fs::is_directory(m_target, ec)) {
        exchangeInPlace(m_path.string(), m_target.string());
        return; // m_path now holds the replaced folder, which the destructor removes
    }
    moveIntoPlace(m_path.string(), m_target.string());
    m_committed = true;
}

} // namespace vora::core
