#include "core/safetensors/safetensors_file.h"

#include "core/error.h"
#include "core/io/bounded_read.h"
#include "core/io/json_value.h"

#include <nlohmann/json.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <sstream>

namespace vora::core {

std::string formatShape(const std::vector<int64_t>& shape)
{
    std::ostringstream out;
    out << "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        out << (i ? ", " : "") << shape[i];
    }
    out << "]";
    return out.str();
}

int64_t TensorInfo::elementCount() const
{
    int64_t count = 1;
    for (int64_t dim : shape) {
        count *= dim;
    }
    return count;
}

std::string TensorInfo::describe() const
{
    return name + " (" + std::string(dtypeName(dtype)) + " " + formatShape(shape) + ")";
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path)
{
    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->m_path = path;

    const RegularFile fd(path); // a FIFO in its place is refused, not waited on
    const uint64_t fileSize = fd.size();
    require(fileSize >= 8, ErrorCode::CorruptFile,
            path + ": truncated safetensors file (" + std::to_string(fileSize) + " bytes, no header length)");
    void* mapping = ::mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd.fd(), 0);
    require(mapping != MAP_FAILED, ErrorCode::Io, path + ": cannot map: " + std::strerror(errno));
    file->m_mapping = mapping;
    file->m_mappingSize = fileSize;
    file->parse(static_cast<const uint8_t*>(mapping), fileSize);
    return file;
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::fromBytes(const uint8_t* bytes, uint64_t size,
                                                            const std::string& nameForErrors)
{
    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->m_path = nameForErrors;
    file->parse(bytes, size);
    return file;
}

void SafetensorsFile::parse(const uint8_t* bytes, uint64_t fileSize)
{
    require(fileSize >= 8, ErrorCode::CorruptFile,
            m_path + ": truncated safetensors file (" + std::to_string(fileSize) + " bytes, no header length)");
    uint64_t headerBytes = 0;
    for (int i = 7; i >= 0; --i) {
        headerBytes = (headerBytes << 8) | bytes[i];
    }
    require(headerBytes >= 2 && headerBytes <= kMaxHeaderBytes, ErrorCode::CorruptFile,
            m_path + ": implausible safetensors header length " + std::to_string(headerBytes));
    require(headerBytes <= fileSize - 8, ErrorCode::CorruptFile,
            m_path + ": header length " + std::to_string(headerBytes) + " runs past the end of the file ("
                + std::to_string(fileSize) + " bytes)");
    m_data = bytes + 8 + headerBytes;
    const std::string header(reinterpret_cast<const char*>(bytes + 8), headerBytes);
    parseHeader(header, fileSize - 8 - headerBytes);
}

SafetensorsFile::~SafetensorsFile()
{
    if (m_mapping) {
        ::munmap(m_mapping, m_mappingSize);
    }
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const
{
    const auto it = m_tensors.find(name);
    require(it != m_tensors.end(), ErrorCode::MissingWeights, m_path + ": no tensor named " + name);
    return it->second;
}

void SafetensorsFile::parseHeader(const std::string& header, uint64_t dataBytes)
{
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(header);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::CorruptFile, m_path + ": header is not valid JSON: " + e.what());
    }
    require(root.is_object(), ErrorCode::CorruptFile, m_path + ": header is not a JSON object");

    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (const auto& [name, entry] : root.items()) {
        if (name == "__metadata__") {
            require(entry.is_object(), ErrorCode::CorruptFile, m_path + ": __metadata__ is not an object");
            for (const auto& [key, value] : entry.items()) {
                require(value.is_string(), ErrorCode::CorruptFile,
                        m_path + ": __metadata__ value of '" + key + "' is not a string");
                m_metadata[key] = value.get<std::string>();
            }
            continue;
        }
        const std::string where = m_path + ": tensor " + name;
        require(entry.is_object() && entry.contains("dtype") && entry.contains("shape")
                    && entry.contains("data_offsets"),
                ErrorCode::CorruptFile, where + ": entry needs dtype, shape and data_offsets");
        const auto& dtypeJson = entry["dtype"];
        require(dtypeJson.is_string(), ErrorCode::CorruptFile, where + ": dtype is not a string");
        const auto dtype = parseDType(dtypeJson.get<std::string>());
        require(dtype.has_value(), ErrorCode::UnsupportedFormat,
                where + ": unsupported dtype " + dtypeJson.get<std::string>());

        TensorInfo info;
        info.name = name;
        info.dtype = *dtype;
        const auto& shapeJson = entry["shape"];
        require(shapeJson.is_array() && shapeJson.size() <= 8, ErrorCode::CorruptFile,
                where + ": shape must be an array of at most 8 dimensions");
        int64_t elements = 1;
        for (const auto& dim : shapeJson) {
            const std::optional<int64_t> dimension = jsonAs<int64_t>(dim);
            require(dimension.has_value() && *dimension >= 0, ErrorCode::CorruptFile,
                    where + ": shape holds a negative, huge or non-integer dimension");
            const int64_t value = *dimension;
            require(value == 0 || elements <= std::numeric_limits<int64_t>::max() / 8 / value,
                    ErrorCode::CorruptFile, where + ": shape overflows");
            elements *= value;
            info.shape.push_back(value);
        }
        const auto& offsets = entry["data_offsets"];
        require(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned()
                    && offsets[1].is_number_unsigned(),
                ErrorCode::CorruptFile, where + ": data_offsets must be two non-negative integers");
        const auto begin = offsets[0].get<uint64_t>();
        const auto end = offsets[1].get<uint64_t>(); // both <= dataBytes below, so they fit int64
        require(begin <= end && end <= dataBytes, ErrorCode::CorruptFile,
                where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end)
                    + ") out of bounds (data section holds " + std::to_string(dataBytes) + " bytes)");
        info.begin = static_cast<int64_t>(begin);
        info.end = static_cast<int64_t>(end);
        const int64_t expected = elements * dtypeSize(info.dtype);
        require(expected == info.end - info.begin, ErrorCode::CorruptFile,
                where + ": " + info.describe() + " needs " + std::to_string(expected) + " bytes but data_offsets span "
                    + std::to_string(info.end - info.begin));
        if (info.end > info.begin) {
            ranges.emplace_back(info.begin, info.end);
        }
        m_tensors.emplace(name, std::move(info));
    }
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 1; i < ranges.size(); ++i) {
        require(ranges[i].first >= ranges[i - 1].second, ErrorCode::CorruptFile,
                m_path + ": tensor data ranges overlap at byte " + std::to_string(ranges[i].first));
    }
}

} // namespace vora::core
