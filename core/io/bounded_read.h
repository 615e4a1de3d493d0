#pragma once
// Reading files a user named, bounded by what they can plausibly hold. A path may name a FIFO, a
// device or a file of any size: each is opened without blocking, refused unless it is a regular
// file, and read only up to a limit chosen by the caller for that kind of file. Errors are
// Error(FileNotFound | Io | CorruptFile) naming the file. Plain C++ (no torch).
#include <cstdint>
#include <string>

namespace vora::core {

// Size limits by kind of file: generous for real files, far below what a runaway read costs.
inline constexpr std::uint64_t kMaxConfigFileBytes = 16ull << 20;     // config.json, generation_config.json, state.json
inline constexpr std::uint64_t kMaxIndexFileBytes = 256ull << 20;     // *.safetensors.index.json
inline constexpr std::uint64_t kMaxTokenizerFileBytes = 512ull << 20; // tokenizer.json, vocab.json, merges.txt, *.model
inline constexpr std::uint64_t kMaxDataLineBytes = 64ull << 20;       // one line of training data

// An open read-only descriptor of a regular file; closes itself.
class RegularFile {
public:
    // Throws when path is missing, unreadable or not a regular file (FIFO, socket, device, folder).
    explicit RegularFile(const std::string& path);
    ~RegularFile();
    RegularFile(const RegularFile&) = delete;
    RegularFile& operator=(const RegularFile&) = delete;

    int fd() const { return m_fd; }
    std::uint64_t size() const { return m_size; } // at open time
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    int m_fd = -1;
    std::uint64_t m_size = 0;
};

// The whole file, refused when it is (or grows to be) larger than maxBytes.
std::string readFileBounded(const std::string& path, std::uint64_t maxBytes);

} // namespace vora::core
