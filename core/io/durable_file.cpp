#include "core/io/durable_file.h"

#include "core/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vora::core {
namespace {

[[noreturn]] void failIo(const std::string& path, const char* what)
{
    throw Error(ErrorCode::Io, path + ": " + what + ": " + std::strerror(errno));
}

} // namespace

DurableFile::DurableFile(std::string path) : m_path(std::move(path))
{
    m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        failIo(m_path, "cannot create");
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
    const auto* data = reinterpret_cast<const char*>(bytes.data());
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t written = ::write(m_fd, data, left);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            failIo(m_path, "write failed (disk full?)");
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
}

void DurableFile::write(const std::string& text)
{
    write(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

void DurableFile::commit()
{
    require(m_fd >= 0, ErrorCode::Internal, m_path + ": committed twice");
    if (::fsync(m_fd) != 0) {
        failIo(m_path, "fsync failed");
    }
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0) {
        failIo(m_path, "close failed");
    }
}

void writeFileDurably(const std::string& path, const std::string& text)
{
    DurableFile file(path);
    file.write(text);
    file.commit();
}

void syncDirectory(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        failIo(path, "cannot open the folder to sync it");
    }
    const int rc = ::fsync(fd);
    const int savedErrno = errno;
    ::close(fd);
    errno = savedErrno;
    if (rc != 0) {
        failIo(path, "fsync of the folder failed");
    }
}

} // namespace vora::core
