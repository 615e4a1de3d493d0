#include "core/io/bounded_read.h"

#include "core/error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vora::core {

RegularFile::RegularFile(const std::string& path) : m_path(path)
{
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (m_fd < 0) {
        throw Error(errno == ENOENT ? ErrorCode::FileNotFound : ErrorCode::Io, path + ": cannot open: " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(m_fd, &st) != 0) {
        const int error = errno;
        ::close(m_fd);
        throw Error(ErrorCode::Io, path + ": cannot stat: " + std::strerror(error));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(m_fd);
        throw Error(ErrorCode::CorruptFile, path + ": not a regular file");
    }
    // Regular files never block; reads need no O_NONBLOCK handling.
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) & ~O_NONBLOCK);
    m_size = static_cast<std::uint64_t>(st.st_size);
}

RegularFile::~RegularFile()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

std::string readFileBounded(const std::string& path, std::uint64_t maxBytes)
{
    const RegularFile file(path);
    const auto tooLarge = [&](std::uint64_t bytes) {
        return Error(ErrorCode::CorruptFile, path + ": " + std::to_string(bytes) + " bytes, more than the "
                                                 + std::to_string(maxBytes) + " this kind of file may hold");
    };
    if (file.size() > maxBytes) {
        throw tooLarge(file.size());
    }
    std::string text(static_cast<std::size_t>(file.size()), '\0');
    std::size_t filled = 0;
    for (;;) {
        if (filled == text.size()) {
            if (text.size() >= maxBytes + 1) {
                throw tooLarge(text.size());
            }
            // The file grew since fstat (or a filesystem reported no size): read on, within the limit.
            text.resize(static_cast<std::size_t>(std::min<std::uint64_t>(maxBytes + 1, text.size() * 2 + 4096)));
        }
        const ssize_t got = ::read(file.fd(), text.data() + filled, text.size() - filled);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            throw Error(ErrorCode::Io, path + ": cannot read: " + std::strerror(errno));
        }
        if (got == 0) {
            break;
        }
        filled += static_cast<std::size_t>(got);
    }
    text.resize(filled);
    return text;
}

} // namespace vora::core
