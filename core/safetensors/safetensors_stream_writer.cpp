#include "core/safetensors/safetensors_stream_writer.h"

#include "core/error.h"
#include "core/safetensors/safetensors_writer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <set>

namespace vora::core {

uint64_t SafetensorsTensorSpec::byteCount() const
{
    uint64_t elements = 1;
    for (const int64_t d : shape) {
        elements *= static_cast<uint64_t>(d);
    }
    return elements * safetensorsDtypeSize(dtype);
}

SafetensorsStreamWriter::SafetensorsStreamWriter(std::string path, std::vector<SafetensorsTensorSpec> tensors,
                                                 const std::map<std::string, std::string>& metadata)
    : m_path(std::move(path)), m_temporary(m_path + std::string(kPartialSuffix)), m_tensors(std::move(tensors))
{
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        header["__metadata__"] = metadata;
    }
    std::set<std::string> names;
    uint64_t offset = 0;
    for (const SafetensorsTensorSpec& t : m_tensors) {
        require(!t.name.empty() && t.name != "__metadata__" && names.insert(t.name).second, ErrorCode::InvalidArgument,
                m_path + ": empty, reserved or duplicate tensor name '" + t.name + "'");
        for (const int64_t d : t.shape) {
            require(d >= 0, ErrorCode::InvalidArgument, m_path + ": tensor '" + t.name + "' has a negative dimension");
        }
        const uint64_t bytes = t.byteCount();
        header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::string prefix(8, '\0');
    for (int i = 0; i < 8; ++i) {
        prefix[static_cast<size_t>(i)] = static_cast<char>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xFF);
    }
    m_file = std::make_unique<DurableFile>(m_temporary);
    m_file->write(prefix);
    m_file->write(text);
}

SafetensorsStreamWriter::~SafetensorsStreamWriter()
{
    if (!m_finished) {
        m_file.reset();
        std::remove(m_temporary.c_str());
    }
}

void SafetensorsStreamWriter::writeNext(std::span<const std::byte> bytes)
{
    require(m_next < m_tensors.size(), ErrorCode::InvalidArgument, m_path + ": more tensors written than declared");
    const SafetensorsTensorSpec& spec = m_tensors[m_next];
    require(bytes.size() == spec.byteCount(), ErrorCode::InvalidArgument,
            m_path + ": tensor '" + spec.name + "' got " + std::to_string(bytes.size()) + " bytes, its shape and dtype need "
                + std::to_string(spec.byteCount()));
    m_file->write(bytes);
    ++m_next;
}

void SafetensorsStreamWriter::finish()
{
    require(m_next == m_tensors.size(), ErrorCode::InvalidArgument,
            m_path + ": only " + std::to_string(m_next) + " of " + std::to_string(m_tensors.size()) + " tensors written");
    m_file->commit();
    moveIntoPlace(m_temporary, m_path);
    m_finished = true;
}

} // namespace vora::core
