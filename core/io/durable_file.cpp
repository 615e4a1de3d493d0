#include "core/io/durable_file.h"

#include "core/error.h"
#include "core/io/fault_injection.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace vora::core {
namespace {

[[noreturn]] void failIo(const std::string& path, const char* what, int error)
{
    throw Error(ErrorCode::Io, path + ": " + what + ": " + std::strerror(error));
}

std::string parentOf(const std::string& path)
{
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

} // namespace

DurableFile::DurableFile(std::string path) : m_path(std::move(path))
{
    m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        failIo(m_path, "cannot create", errno);
    }
}

DurableFile::~DurableFile()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void DurableFile::write(std::span<const std::byte> bytes)
{
    require(m_fd >= 0, ErrorCode::Internal, m_path + ": write after commit");
    if (const int injected = faultPoint("file.write")) {
        failIo(m_path, "write failed", injected);
    }
    const auto* data = reinterpret_cast<const char*>(bytes.data());
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(m_fd, data, left);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            failIo(m_path, "write failed", written < 0 ? errno : ENOSPC);
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
}

void DurableFile::write(std::string_view text)
{
    write(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

void DurableFile::commit()
{
    require(m_fd >= 0, ErrorCode::Internal, m_path + ": committed twice");
    const int injected = faultPoint("file.fsync");
    if (injected != 0 || ::fsync(m_fd) != 0) {
        failIo(m_path, "fsync failed", injected != 0 ? injected : errno);
    }
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0) {
        failIo(m_path, "close failed", errno);
    }
}

void writeFileDurably(const std::string& path, std::string_view text)
{
    DurableFile file(path);
    file.write(text);
    file.commit();
}

void replaceFileDurably(const std::string& path, std::string_view text)
{
    const std::string partial = path + std::string(kPartialSuffix);
    try {
        writeFileDurably(partial, text);
        moveIntoPlace(partial, path);
    } catch (...) {
        std::remove(partial.c_str());
        throw;
    }
}

void moveIntoPlace(const std::string& from, const std::string& to)
{
    const int injected = faultPoint(std::filesystem::is_directory(from) ? "folder.rename" : "file.rename");
    if (injected != 0 || ::rename(from.c_str(), to.c_str()) != 0) {
        failIo(to, "cannot move the written file into place", injected != 0 ? injected : errno);
    }
    syncDirectory(parentOf(to));
}

void appendToFile(const std::string& path, std::string_view text, std::string_view faultPointName)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        failIo(path, "cannot open to append", errno);
    }
    int error = faultPoint(faultPointName);
    size_t done = 0;
    while (error == 0 && done < text.size()) {
        const ssize_t written = ::write(fd, text.data() + done, text.size() - done);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            error = written < 0 ? errno : ENOSPC;
            break;
        }
        done += static_cast<size_t>(written);
    }
    if (::close(fd) != 0 && error == 0) {
        error = errno;
    }
    if (error != 0) {
        failIo(path, "cannot append", error);
    }
}

void exchangeInPlace(const std::string& from, const std::string& to)
{
    const int injected = faultPoint("folder.rename");
    if (injected != 0 || ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCHANGE) != 0) {
        failIo(to, "cannot swap the written folder into place", injected != 0 ? injected : errno);
    }
    syncDirectory(parentOf(to));
    if (parentOf(from) != parentOf(to)) {
        syncDirectory(parentOf(from));
    }
}

void syncDirectory(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        failIo(path, "cannot open the folder to sync it", errno);
    }
    const int rc = ::fsync(fd);
    const int savedErrno = errno;
    ::close(fd);
    if (rc != 0) {
        failIo(path, "fsync of the folder failed", savedErrno);
    }
}

int removeLeftoverPartials(const std::string& folder)
{
    int removed = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > kPartialSuffix.size() && name.ends_with(kPartialSuffix) && entry.is_regular_file(ec)) {
            removed += std::filesystem::remove(entry.path(), ec) ? 1 : 0;
        }
    }
    return removed;
}

} // namespace vora::core
