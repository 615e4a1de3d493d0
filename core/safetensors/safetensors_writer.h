#pragma once
// Writes a .safetensors file from plain bytes (no torch): an 8-byte little-endian header length,
// a JSON header {"__metadata__": {...}, name: {dtype, shape, data_offsets}}, padded with spaces to a
// multiple of 8, then the tensors' bytes in the order given. Written to a temporary file beside
// `path`, fsynced and renamed (through SafetensorsStreamWriter), so readers never see half a file.
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace vora::core {

struct SafetensorsEntry {
    std::string name;
    std::string dtype;              // safetensors spelling: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL
    std::vector<int64_t> shape;
    std::span<const std::byte> bytes; // little-endian, row-major; must outlive the call
};

// Bytes per element of a safetensors dtype; throws UnsupportedFormat for unknown names.
size_t safetensorsDtypeSize(const std::string& dtype);

// Throws InvalidArgument (duplicate or empty names, byte count not matching shape x dtype) or Io.
void writeSafetensors(const std::string& path, const std::vector<SafetensorsEntry>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace vora::core
