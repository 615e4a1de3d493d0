#include "training/run_folder.h"

#include "core/error.h"
#include "core/io/durable_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace vora::training {
namespace {

namespace fs = std::filesystem;

std::string lockPath(const std::string& outDir)
{
    return (fs::path(outDir) / ".lock").string();
}

std::string ownerOf(int fd)
{
    char text[32] = {};
    const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
    return got > 0 ? std::string(text, static_cast<size_t>(got)) : std::string("unknown");
}

} // namespace

RunFolderLock::RunFolderLock(const std::string& outDir)
{
    const std::string path = lockPath(outDir);
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    core::require(m_fd >= 0, core::ErrorCode::Io, path + ": cannot open the run lock: " + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        const std::string owner = ownerOf(m_fd);
        ::close(m_fd);
        throw core::Error(core::ErrorCode::InvalidArgument,
                          outDir + ": another vora train (pid " + owner + ") is writing this run folder");
    }
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(m_fd, 0) != 0 || ::pwrite(m_fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        ::close(m_fd);
        throw core::Error(core::ErrorCode::Io, path + ": cannot write the run lock: " + std::strerror(errno));
    }
}

RunFolderLock::~RunFolderLock()
{
    if (m_fd >= 0) {
        ::close(m_fd); // releases the flock
    }
}

bool runFolderIsInUse(const std::string& outDir)
{
    const int fd = ::open(lockPath(outDir).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return locked;
}

bool holdsRun(const std::string& outDir)
{
    std::error_code ec;
    if (fs::exists(fs::path(outDir) / "latest", ec)) {
        return true;
    }
    for (const auto& entry : fs::directory_iterator(fs::path(outDir) / "checkpoints", ec)) {
        if (entry.path().filename().string().starts_with("step-")) {
            return true;
        }
    }
    return false;
}

RunFolderLock openRunFolder(const std::string& outDir, bool resume, bool overwrite)
{
    std::error_code ec;
    if (resume) {
        core::require(holdsRun(outDir), core::ErrorCode::InvalidArgument,
                      "--resume: " + outDir + " holds no checkpoint to resume (no `latest`)");
        return RunFolderLock(outDir);
    }
    if (holdsRun(outDir)) {
        core::require(overwrite, core::ErrorCode::InvalidArgument,
                      outDir + " already holds a training run: pass --resume to continue it, or --overwrite to replace it "
                               "(the old run is renamed aside)");
        {
            const RunFolderLock old(outDir); // refuses while the old run is alive
            const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch());
            fs::path run = fs::path(outDir).lexically_normal();
            if (!run.has_filename()) {
                run = run.parent_path(); // "out/" names the folder "out"
            }
            const std::string aside = run.string() + ".replaced-" + std::to_string(now.count());
            core::moveIntoPlace(outDir, aside);
        }
    }
    fs::create_directories(outDir, ec);
    core::require(!ec, core::ErrorCode::Io, outDir + ": cannot create the run folder: " + ec.message());
    return RunFolderLock(outDir);
}

} // namespace vora::training
