#include "core/safetensors/safetensors_writer.h"

#include "core/error.h"

#include "core/safetensors/safetensors_stream_writer.h"

#include <map>

namespace vora::core {

size_t safetensorsDtypeSize(const std::string& dtype)
{
    static const std::map<std::string, size_t> sizes = {
        {"F64", 8}, {"I64", 8}, {"U64", 8}, {"F32", 4}, {"I32", 4}, {"U32", 4}, {"F16", 2}, {"BF16", 2},
        {"I16", 2}, {"U16", 2}, {"I8", 1},  {"U8", 1},  {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};
    const auto it = sizes.find(dtype);
    require(it != sizes.end(), ErrorCode::UnsupportedFormat, "safetensors: unknown dtype '" + dtype + "'");
    return it->second;
}

void writeSafetensors(const std::string& path, const std::vector<SafetensorsEntry>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    std::vector<SafetensorsTensorSpec> specs;
    specs.reserve(tensors.size());
    for (const SafetensorsEntry& t : tensors) {
        specs.push_back({t.name, t.dtype, t.shape});
    }
    SafetensorsStreamWriter writer(path, std::move(specs), metadata);
    for (const SafetensorsEntry& t : tensors) {
        writer.writeNext(t.bytes);
    }
    writer.finish();
}

} // namespace vora::core
