#include "core/safetensors/safetensors_writer.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

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
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        header["__metadata__"] = metadata;
    }
    std::set<std::string> names;
    uint64_t offset = 0;
    for (const SafetensorsEntry& t : tensors) {
        require(!t.name.empty() && t.name != "__metadata__" && names.insert(t.name).second,
                ErrorCode::InvalidArgument, path + ": empty, reserved or duplicate tensor name '" + t.name + "'");
        uint64_t elements = 1;
        for (const int64_t d : t.shape) {
            require(d >= 0, ErrorCode::InvalidArgument, path + ": tensor '" + t.name + "' has a negative dimension");
            elements *= static_cast<uint64_t>(d);
        }
        require(elements * safetensorsDtypeSize(t.dtype) == t.bytes.size(), ErrorCode::InvalidArgument,
                path + ": tensor '" + t.name + "' has " + std::to_string(t.bytes.size()) +
                    " bytes, its shape and dtype need " + std::to_string(elements * safetensorsDtypeSize(t.dtype)));
        header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    const uint64_t length = text.size();

    const std::string temporary = path + ".partial";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        require(out.good(), ErrorCode::Io, temporary + ": cannot open for writing");
        for (int i = 0; i < 8; ++i) {
            out.put(static_cast<char>((length >> (8 * i)) & 0xFF));
        }
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const SafetensorsEntry& t : tensors) {
            out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
        }
        out.flush();
        require(out.good(), ErrorCode::Io, temporary + ": write failed (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::remove(temporary.c_str());
        throw Error(ErrorCode::Io, path + ": cannot move the written file into place: " + ec.message());
    }
}

} // namespace vora::core
