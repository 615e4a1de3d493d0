#pragma once
// A memory-mapped .safetensors file with a fully validated header.
// Format: 8-byte little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}},
// optional "__metadata__" (string -> string), then the data. Validation refuses: absurd header
// lengths, non-object JSON, unknown dtypes, negative or overflowing shapes, offsets out of bounds,
// overlapping tensors, and dtype x shape that disagree with the byte range. Errors name the file
// and the tensor. Immutable after open: safe to read from several threads.
#include "core/safetensors/dtype.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vora::core {

// "[3584, 1536]": shapes in error messages.
std::string formatShape(const std::vector<int64_t>& shape);

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    int64_t begin = 0; // byte offsets relative to the data section
    int64_t end = 0;

    int64_t elementCount() const;
    std::string describe() const; // "name (BF16 [3584, 1536])"
};

class SafetensorsFile {
public:
    static constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

    // Throws Error(FileNotFound | Io | CorruptFile | UnsupportedFormat) with the path in the message.
    static std::shared_ptr<SafetensorsFile> open(const std::string& path);
    // The same checks on a file's bytes in memory (fuzz harnesses, tests); bytes must outlive the
    // result, whose data() points into them. nameForErrors stands for the path in messages.
    static std::shared_ptr<SafetensorsFile> fromBytes(const uint8_t* bytes, uint64_t size, const std::string& nameForErrors);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return m_path; }
    const std::map<std::string, TensorInfo>& tensors() const { return m_tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    bool contains(const std::string& name) const { return m_tensors.count(name) > 0; }
    // Throws Error(MissingWeights) when absent.
    const TensorInfo& info(const std::string& name) const;
    // Pointer into the mapping; valid while this object lives.
    const uint8_t* data(const TensorInfo& info) const { return m_data + info.begin; }

private:
    SafetensorsFile() = default;
    void parse(const uint8_t* bytes, uint64_t size);
    void parseHeader(const std::string& header, uint64_t dataBytes);

    std::string m_path;
    void* m_mapping = nullptr;
    size_t m_mappingSize = 0;
    const uint8_t* m_data = nullptr;
    std::map<std::string, TensorInfo> m_tensors;
    std::map<std::string, std::string> m_metadata;
};

} // namespace vora::core
