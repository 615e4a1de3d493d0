#pragma once
// Files written so that a crash or a full disk never leaves something that looks complete: every
// write is checked, the file is fsynced and its close checked before the caller moves it into
// place. Errors are Error(Io) naming the file and the OS reason. Plain C++ (no torch).
#include <cstddef>
#include <span>
#include <string>

namespace vora::core {

class DurableFile {
public:
    // Creates (or truncates) path for writing.
    explicit DurableFile(std::string path);
    ~DurableFile(); // closes without syncing when commit() was not reached
    DurableFile(const DurableFile&) = delete;
    DurableFile& operator=(const DurableFile&) = delete;

    void write(std::span<const std::byte> bytes);
    void write(const std::string& text);
    // fsync + close, both checked.
    void commit();
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    int m_fd = -1;
};

// Writes text to path through a DurableFile (no rename: for files inside a folder that is itself
// renamed into place when complete).
void writeFileDurably(const std::string& path, const std::string& text);
// fsync of a directory, so that the names created or renamed in it survive a crash.
void syncDirectory(const std::string& path);

} // namespace vora::core
