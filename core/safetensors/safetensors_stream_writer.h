#pragma once
// Writes a .safetensors file tensor by tensor, for models too large to hold in memory at once:
// the header (names, dtypes, shapes) is written first, then each tensor's bytes in the declared
// order. The file is built under a temporary name, fsynced and renamed to `path` by finish(); a
// writer destroyed before finish() removes the temporary file. Plain C++ (no torch).
#include "core/io/durable_file.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace vora::core {

struct SafetensorsTensorSpec {
    std::string name;
    std::string dtype; // safetensors spelling (see safetensors_writer.h)
    std::vector<int64_t> shape;

    uint64_t byteCount() const; // throws UnsupportedFormat for an unknown dtype
};

class SafetensorsStreamWriter {
public:
    // Throws InvalidArgument (empty, reserved or duplicate names, negative dims) or Io.
    SafetensorsStreamWriter(std::string path, std::vector<SafetensorsTensorSpec> tensors,
                            const std::map<std::string, std::string>& metadata = {});
    ~SafetensorsStreamWriter();
    SafetensorsStreamWriter(const SafetensorsStreamWriter&) = delete;
    SafetensorsStreamWriter& operator=(const SafetensorsStreamWriter&) = delete;

    // The bytes of the next tensor in declaration order (little-endian, row-major), all at once.
    // Throws InvalidArgument when the size differs from the declared one or all tensors are written.
    void writeNext(std::span<const std::byte> bytes);
    // Throws InvalidArgument when tensors are missing; Io when the file cannot be completed.
    void finish();

private:
    std::string m_path;
    std::string m_temporary;
    std::vector<SafetensorsTensorSpec> m_tensors;
    std::unique_ptr<DurableFile> m_file;
    size_t m_next = 0;
    bool m_finished = false;
};

} // namespace vora::core
