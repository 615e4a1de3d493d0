#pragma once
// A GGUF file (versions 2 and 3) with a fully validated header: magic, version, metadata
// key/values, tensor infos, alignment and the data section. Validation refuses, before allocating
// anything a hostile count or length asks for: counts and lengths the remaining bytes cannot hold,
// headers over kMaxHeaderBytes, unknown value or tensor types, more than 4 dimensions, dimensions
// whose product overflows or whose row is not a whole number of blocks, offsets that are not
// aligned or run past the end, overlapping tensors, duplicate keys or tensor names, and a
// general.alignment that is not a power of two. Errors are Error(CorruptFile | UnsupportedFormat)
// naming the file and the field or tensor. Plain C++ (no torch): a libFuzzer harness links it.
// Immutable after parsing: safe to read from several threads.
#include "core/gguf/gguf_types.h"
#include "core/gguf/gguf_value.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace vora::core {

struct GgufTensorInfo {
    std::string name;
    GgmlType type = GgmlType::F32;
    std::vector<uint64_t> dims; // ggml order: dims[0] is the innermost (a row's length)
    uint64_t offset = 0;        // relative to the data section
    uint64_t bytes = 0;

    uint64_t elementCount() const;
    // The shape as PyTorch/HF write it: the dims reversed (outermost first).
    std::vector<int64_t> shape() const;
    std::string describe() const; // "blk.0.attn_q.weight (Q4_1 [576, 576])"
};

class GgufFile {
public:
    static constexpr uint64_t kMaxHeaderBytes = 64ull << 20; // metadata + tensor infos
    static constexpr uint64_t kMaxStringBytes = 16ull << 20;
    static constexpr uint64_t kMaxKeyBytes = 65535;
    static constexpr uint64_t kMaxTensorNameBytes = 1024;
    static constexpr uint32_t kMaxDims = 4;
    static constexpr int kMaxArrayDepth = 2; // an array may hold arrays, which hold no arrays

    // Maps and parses path. Throws Error(FileNotFound | Io | CorruptFile | UnsupportedFormat).
    static std::shared_ptr<GgufFile> open(const std::string& path);
    // Parses bytes (which must outlive the result); `name` stands for the file in messages.
    static std::shared_ptr<GgufFile> parse(std::span<const uint8_t> bytes, const std::string& name);
    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    const std::string& path() const { return m_path; }
    uint32_t version() const { return m_version; }
    uint64_t alignment() const { return m_alignment; }
    uint64_t dataOffset() const { return m_dataOffset; } // from the start of the file
    const std::map<std::string, GgufValue>& metadata() const { return m_metadata; }
    const std::vector<GgufTensorInfo>& tensors() const { return m_tensors; } // in file order

    const GgufValue* find(const std::string& key) const;
    const GgufTensorInfo* findTensor(const std::string& name) const;
    // The tensor's bytes inside the file; valid while this object lives.
    std::span<const uint8_t> tensorData(const GgufTensorInfo& info) const;

    // Typed metadata lookups: nullopt when the key is absent; Error(CorruptFile) naming the file
    // and key when it holds another type or a value out of range.
    std::optional<std::string> string(const std::string& key) const;
    std::optional<uint64_t> unsignedInteger(const std::string& key) const;
    std::optional<double> number(const std::string& key) const;
    std::optional<bool> boolean(const std::string& key) const;
    const std::vector<std::string>* stringArray(const std::string& key) const;
    const GgufValue* numericArray(const std::string& key) const;

private:
    GgufFile() = default;
    void parseAll(std::span<const uint8_t> bytes);

    std::string m_path;
    void* m_mapping = nullptr;
    size_t m_mappingSize = 0;
    std::span<const uint8_t> m_bytes;
    uint32_t m_version = 0;
    uint64_t m_alignment = 32;
    uint64_t m_dataOffset = 0;
    std::map<std::string, GgufValue> m_metadata;
    std::vector<GgufTensorInfo> m_tensors;
    std::map<std::string, size_t> m_tensorIndex;
};

} // namespace vora::core
