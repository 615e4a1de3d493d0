#pragma once
// The one home of durable writes: files and folders written so that a crash or a full disk never
// leaves something that looks complete (docs/reliability.md). Every write is checked, files are
// fsynced and their close checked before they are renamed over their final names, and the folders
// holding renamed names are fsynced. Each step is a fault point (core/io/fault_injection.h).
// Errors are Error(Io) naming the file and the OS reason. Plain C++ (no torch).
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace vora::core {

// The suffix of files being built: a name ending in it is never taken as complete, and leftovers
// of killed writers are removed by removeLeftoverPartials().
inline constexpr std::string_view kPartialSuffix = ".partial";

class DurableFile {
public:
    // Creates (or truncates) path for writing.
    explicit DurableFile(std::string path);
    ~DurableFile(); // closes without syncing when commit() was not reached
    DurableFile(const DurableFile&) = delete;
    DurableFile& operator=(const DurableFile&) = delete;

    void write(std::span<const std::byte> bytes);
    void write(std::string_view text);
    // fsync + close, both checked.
    void commit();
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    int m_fd = -1;
};

// Writes text to path through a DurableFile (no rename: for files inside a folder that is itself
// renamed into place when complete).
void writeFileDurably(const std::string& path, std::string_view text);
// Replaces path with text: built as path + kPartialSuffix, fsynced, renamed over path, its folder
// fsynced. On failure path is as it was and the partial file is removed.
void replaceFileDurably(const std::string& path, std::string_view text);
// Renames a complete file or folder over `to` and fsyncs `to`'s folder.
void moveIntoPlace(const std::string& from, const std::string& to);
// Appends text to path (created if missing) in one checked write and a checked close, without fsync
// (logs). faultPoint names the fault point of this append (core/io/fault_injection.h).
void appendToFile(const std::string& path, std::string_view text, std::string_view faultPointName);
// Swaps two existing names atomically (renameat2 RENAME_EXCHANGE) and fsyncs their folder(s).
void exchangeInPlace(const std::string& from, const std::string& to);
// fsync of a directory, so that the names created or renamed in it survive a crash.
void syncDirectory(const std::string& path);
// Removes the "*.partial" files a killed writer left in folder (not recursive); returns how many.
int removeLeftoverPartials(const std::string& folder);

} // namespace vora::core
