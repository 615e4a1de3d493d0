#include "core/gguf/gguf_file.h"

#include "core/error.h"
#include "core/gguf/gguf_byte_reader.h"
#include "core/unicode/unicode.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>

namespace vora::core {
namespace {

constexpr uint32_t kMagic = 0x46554747; // "GGUF" read as a little-endian u32
constexpr uint64_t kDefaultAlignment = 32;
constexpr uint64_t kMaxAlignment = 1ull << 30;
// Smallest encodings, used to refuse counts the remaining bytes cannot hold before allocating.
constexpr uint64_t kMinKeyValueBytes = 8 + 1 + 4 + 1;   // key length, 1-byte key, type, 1-byte value
constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8; // name, n_dims, 1 dim, type, offset
constexpr uint64_t kMinNestedArrayBytes = 4 + 8;             // element type + count
constexpr uint64_t kMaxNestedArrayItems = 1 << 16;            // each item costs far more memory than file
constexpr uint64_t kMaxElements = 1ull << 60;                 // bytes of any type stay below 2^63

class HeaderParser {
public:
    explicit HeaderParser(GgufByteReader& reader) : m_reader(reader) {}

    GgufValue value(GgufValueType type, const std::string& field, int depth)
    {
        const uint32_t size = ggufValueTypeSize(type);
        switch (type) {
        case GgufValueType::U8:
        case GgufValueType::U16:
        case GgufValueType::U32:
        case GgufValueType::U64: return GgufValue::unsignedInteger(type, m_reader.unsignedLe(size, field));
        case GgufValueType::I8:
        case GgufValueType::I16:
        case GgufValueType::I32:
        case GgufValueType::I64: {
            const uint64_t raw = m_reader.unsignedLe(size, field);
            const uint64_t sign = uint64_t{1} << (size * 8 - 1);
            const auto value = size == 8 ? static_cast<int64_t>(raw) : static_cast<int64_t>((raw ^ sign) - sign);
            return GgufValue::signedInteger(type, value);
        }
        case GgufValueType::F32: {
            const auto raw = static_cast<uint32_t>(m_reader.unsignedLe(4, field));
            float value = 0;
            std::memcpy(&value, &raw, 4);
            return GgufValue::floating(type, value);
        }
        case GgufValueType::F64: {
            const uint64_t raw = m_reader.unsignedLe(8, field);
            double value = 0;
            std::memcpy(&value, &raw, 8);
            return GgufValue::floating(type, value);
        }
        case GgufValueType::Bool: {
            const uint64_t raw = m_reader.unsignedLe(1, field);
            if (raw > 1) {
                m_reader.fail(field, "bool value " + std::to_string(raw) + " is neither 0 nor 1");
            }
            return GgufValue::boolean(raw == 1);
        }
        case GgufValueType::String: return GgufValue::string(m_reader.string(field, GgufFile::kMaxStringBytes));
        case GgufValueType::Array: return array(field, depth);
        }
        m_reader.fail(field, "unknown value type");
    }

private:
    GgufValue array(const std::string& field, int depth)
    {
        if (depth >= GgufFile::kMaxArrayDepth) {
            m_reader.fail(field, "arrays nested deeper than " + std::to_string(GgufFile::kMaxArrayDepth)
                                     + " levels are not accepted");
        }
        const uint32_t tag = m_reader.u32(field + " element type");
        const auto elementType = ggufValueTypeFromTag(tag);
        if (!elementType) {
            m_reader.fail(field, "unknown array element type " + std::to_string(tag));
        }
        const uint64_t count = m_reader.u64(field + " count");
        const uint32_t size = ggufValueTypeSize(*elementType);
        const uint64_t minBytes = *elementType == GgufValueType::String ? 8
            : *elementType == GgufValueType::Array                      ? kMinNestedArrayBytes
                                                                        : size;
        if (count > m_reader.remaining() / minBytes) {
            m_reader.fail(field, "array of " + std::to_string(count) + " " + std::string(ggufValueTypeName(*elementType))
                                     + " values cannot fit in the " + std::to_string(m_reader.remaining())
                                     + " bytes left");
        }
        if (*elementType == GgufValueType::String) {
            std::vector<std::string> items;
            items.reserve(count);
            for (uint64_t i = 0; i < count; ++i) {
                items.push_back(m_reader.string(field + "[" + std::to_string(i) + "]", GgufFile::kMaxStringBytes));
            }
            return GgufValue::stringArray(std::move(items));
        }
        if (*elementType == GgufValueType::Array) {
            if (count > kMaxNestedArrayItems) {
                m_reader.fail(field, "an array of " + std::to_string(count) + " arrays exceeds the limit of "
                                         + std::to_string(kMaxNestedArrayItems));
            }
            std::vector<GgufValue> items;
            items.reserve(count);
            for (uint64_t i = 0; i < count; ++i) {
                items.push_back(array(field + "[" + std::to_string(i) + "]", depth + 1));
            }
            return GgufValue::arrayOfArrays(std::move(items));
        }
        const auto bytes = m_reader.take(count * size, field);
        if (*elementType == GgufValueType::Bool) {
            for (uint64_t i = 0; i < count; ++i) {
                if (bytes[i] > 1) {
                    m_reader.fail(field + "[" + std::to_string(i) + "]",
                                  "bool value " + std::to_string(bytes[i]) + " is neither 0 nor 1");
                }
            }
        }
        return GgufValue::numericArray(*elementType, std::vector<uint8_t>(bytes.begin(), bytes.end()), count);
    }

    GgufByteReader& m_reader;
};

uint64_t alignUp(uint64_t value, uint64_t alignment)
{
    return (value + alignment - 1) / alignment * alignment;
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    ~FileDescriptor()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

} // namespace

uint64_t GgufTensorInfo::elementCount() const
{
    uint64_t count = 1;
    for (const uint64_t dim : dims) {
        count *= dim;
    }
    return count;
}

std::vector<int64_t> GgufTensorInfo::shape() const
{
    return std::vector<int64_t>(dims.rbegin(), dims.rend());
}

std::string GgufTensorInfo::describe() const
{
    std::string text = name + " (" + std::string(ggmlTypeName(type)) + " [";
    const auto outer = shape();
    for (size_t i = 0; i < outer.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(outer[i]);
    }
    return text + "])";
}

std::shared_ptr<GgufFile> GgufFile::open(const std::string& path)
{
    // O_NONBLOCK: a FIFO named like a model must not hang the open; it is refused below.
    const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
        throw Error(errno == ENOENT ? ErrorCode::FileNotFound : ErrorCode::Io,
                    path + ": cannot open: " + std::strerror(errno));
    }
    struct stat st {};
    require(::fstat(fd.get(), &st) == 0, ErrorCode::Io, path + ": cannot stat: " + std::strerror(errno));
    require(S_ISREG(st.st_mode), ErrorCode::CorruptFile, path + ": not a regular file");
    const auto size = static_cast<size_t>(st.st_size);
    require(size >= 4, ErrorCode::CorruptFile, path + ": not a GGUF file (" + std::to_string(size) + " bytes)");
    void* mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    require(mapping != MAP_FAILED, ErrorCode::Io, path + ": cannot map: " + std::strerror(errno));

    std::shared_ptr<GgufFile> file(new GgufFile());
    file->m_path = path;
    file->m_mapping = mapping;
    file->m_mappingSize = size;
    file->parseAll(std::span<const uint8_t>(static_cast<const uint8_t*>(mapping), size));
    return file;
}

std::shared_ptr<GgufFile> GgufFile::parse(std::span<const uint8_t> bytes, const std::string& name)
{
    std::shared_ptr<GgufFile> file(new GgufFile());
    file->m_path = name;
    file->parseAll(bytes);
    return file;
}

GgufFile::~GgufFile()
{
    if (m_mapping) {
        ::munmap(m_mapping, m_mappingSize);
    }
}

void GgufFile::parseAll(std::span<const uint8_t> bytes)
{
    m_bytes = bytes;
    GgufByteReader reader(bytes, std::min<uint64_t>(bytes.size(), kMaxHeaderBytes), m_path);
    const uint32_t magic = reader.u32("magic");
    require(magic == kMagic, ErrorCode::CorruptFile, m_path + ": not a GGUF file (the magic is not \"GGUF\")");
    m_version = reader.u32("version");
    require(m_version != 0x02000000 && m_version != 0x03000000, ErrorCode::UnsupportedFormat,
            m_path + ": big-endian GGUF files are not supported");
    require(m_version == 2 || m_version == 3, ErrorCode::UnsupportedFormat,
            m_path + ": GGUF version " + std::to_string(m_version) + " is not supported (only 2 and 3)");
    const uint64_t tensorCount = reader.u64("tensor count");
    const uint64_t keyValueCount = reader.u64("metadata count");
    if (keyValueCount > reader.remaining() / kMinKeyValueBytes) {
        reader.fail("metadata count", std::to_string(keyValueCount) + " key/values cannot fit in the file");
    }
    if (tensorCount > reader.remaining() / kMinTensorInfoBytes) {
        reader.fail("tensor count", std::to_string(tensorCount) + " tensor infos cannot fit in the file");
    }

    HeaderParser parser(reader);
    for (uint64_t i = 0; i < keyValueCount; ++i) {
        const std::string where = "metadata key #" + std::to_string(i);
        std::string key = reader.string(where, kMaxKeyBytes);
        if (key.empty() || !unicode::isValidUtf8(key)) {
            reader.fail(where, "empty or non-UTF-8 key");
        }
        const uint32_t tag = reader.u32("type of " + key);
        const auto type = ggufValueTypeFromTag(tag);
        if (!type) {
            reader.fail("type of " + key, "unknown value type " + std::to_string(tag));
        }
        GgufValue value = parser.value(*type, key, 0);
        if (m_metadata.count(key)) {
            reader.fail(key, "duplicate metadata key");
        }
        m_metadata.emplace(std::move(key), std::move(value));
    }
    if (const GgufValue* alignment = find("general.alignment")) {
        const auto value = alignment->asUnsigned();
        require(value && *value > 0 && *value <= kMaxAlignment && (*value & (*value - 1)) == 0, ErrorCode::CorruptFile,
                m_path + ": general.alignment must be a power of two up to 2^30, got " + alignment->describe());
        m_alignment = *value;
    } else {
        m_alignment = kDefaultAlignment;
    }

    for (uint64_t i = 0; i < tensorCount; ++i) {
        GgufTensorInfo info;
        info.name = reader.string("tensor #" + std::to_string(i) + " name", kMaxTensorNameBytes);
        if (info.name.empty() || !unicode::isValidUtf8(info.name)) {
            reader.fail("tensor #" + std::to_string(i) + " name", "empty or non-UTF-8 name");
        }
        const std::string where = "tensor " + info.name;
        const uint32_t dimCount = reader.u32(where + " n_dims");
        if (dimCount == 0 || dimCount > kMaxDims) {
            reader.fail(where, "n_dims " + std::to_string(dimCount) + " is outside 1.." + std::to_string(kMaxDims));
        }
        uint64_t elements = 1;
        for (uint32_t d = 0; d < dimCount; ++d) {
            const uint64_t dim = reader.u64(where + " dims[" + std::to_string(d) + "]");
            if (dim > kMaxElements || (dim != 0 && elements > kMaxElements / dim)) {
                reader.fail(where, "dimensions overflow");
            }
            elements *= dim;
            info.dims.push_back(dim);
        }
        const uint32_t typeTag = reader.u32(where + " type");
        const auto traits = ggmlTypeTraits(typeTag);
        if (!traits) {
            throw Error(ErrorCode::UnsupportedFormat,
                        m_path + ": " + where + ": unknown tensor type " + std::to_string(typeTag));
        }
        info.type = traits->type;
        if (info.dims[0] % traits->blockElements != 0) {
            reader.fail(where, "row length " + std::to_string(info.dims[0]) + " is not a multiple of the "
                                   + std::string(traits->name) + " block size " + std::to_string(traits->blockElements));
        }
        // elements <= 2^60 and blockBytes <= 8 * blockElements for every type: no overflow.
        info.bytes = elements / traits->blockElements * traits->blockBytes;
        info.offset = reader.u64(where + " offset");
        if (info.offset % m_alignment != 0) {
            reader.fail(where, "offset " + std::to_string(info.offset) + " is not a multiple of the alignment "
                                   + std::to_string(m_alignment));
        }
        if (m_tensorIndex.count(info.name)) {
            reader.fail(where, "duplicate tensor name");
        }
        m_tensorIndex.emplace(info.name, m_tensors.size());
        m_tensors.push_back(std::move(info));
    }

    m_dataOffset = alignUp(reader.position(), m_alignment);
    const uint64_t fileSize = bytes.size();
    require(m_tensors.empty() || m_dataOffset <= fileSize, ErrorCode::CorruptFile,
            m_path + ": the data section would start at byte " + std::to_string(m_dataOffset) + ", past the end ("
                + std::to_string(fileSize) + " bytes)");
    const uint64_t dataBytes = m_dataOffset <= fileSize ? fileSize - m_dataOffset : 0;
    std::vector<const GgufTensorInfo*> byOffset;
    for (const GgufTensorInfo& info : m_tensors) {
        require(info.offset <= dataBytes && info.bytes <= dataBytes - info.offset, ErrorCode::CorruptFile,
                m_path + ": tensor " + info.describe() + ": its " + std::to_string(info.bytes) + " bytes at offset "
                    + std::to_string(info.offset) + " run past the end of the data section ("
                    + std::to_string(dataBytes) + " bytes)");
        if (info.bytes > 0) {
            byOffset.push_back(&info);
        }
    }
    std::sort(byOffset.begin(), byOffset.end(),
              [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
        require(byOffset[i]->offset >= byOffset[i - 1]->offset + byOffset[i - 1]->bytes, ErrorCode::CorruptFile,
                m_path + ": tensors " + byOffset[i - 1]->name + " and " + byOffset[i]->name + " overlap at offset "
                    + std::to_string(byOffset[i]->offset));
    }
}

const GgufValue* GgufFile::find(const std::string& key) const
{
    const auto it = m_metadata.find(key);
    return it == m_metadata.end() ? nullptr : &it->second;
}

const GgufTensorInfo* GgufFile::findTensor(const std::string& name) const
{
    const auto it = m_tensorIndex.find(name);
    return it == m_tensorIndex.end() ? nullptr : &m_tensors[it->second];
}

std::span<const uint8_t> GgufFile::tensorData(const GgufTensorInfo& info) const
{
    return m_bytes.subspan(m_dataOffset + info.offset, info.bytes);
}

std::optional<std::string> GgufFile::string(const std::string& key) const
{
    const GgufValue* value = find(key);
    if (!value) {
        return std::nullopt;
    }
    require(value->asString() != nullptr, ErrorCode::CorruptFile,
            m_path + ": " + key + " must be a string, found " + value->describe());
    return *value->asString();
}

std::optional<uint64_t> GgufFile::unsignedInteger(const std::string& key) const
{
    const GgufValue* value = find(key);
    if (!value) {
        return std::nullopt;
    }
    const auto number = value->asUnsigned();
    require(number.has_value(), ErrorCode::CorruptFile,
            m_path + ": " + key + " must be a non-negative integer, found " + value->describe());
    return number;
}

std::optional<double> GgufFile::number(const std::string& key) const
{
    const GgufValue* value = find(key);
    if (!value) {
        return std::nullopt;
    }
    const auto number = value->asNumber();
    require(number.has_value(), ErrorCode::CorruptFile, m_path + ": " + key + " must be a number, found " + value->describe());
    return number;
}

std::optional<bool> GgufFile::boolean(const std::string& key) const
{
    const GgufValue* value = find(key);
    if (!value) {
        return std::nullopt;
    }
    require(value->asBool().has_value(), ErrorCode::CorruptFile,
            m_path + ": " + key + " must be a bool, found " + value->describe());
    return value->asBool();
}

const std::vector<std::string>* GgufFile::stringArray(const std::string& key) const
{
    const GgufValue* value = find(key);
    if (!value) {
        return nullptr;
    }
    require(value->strings() != nullptr, ErrorCode::CorruptFile,
            m_path + ": " + key + " must be an array of strings, found " + value->describe());
    return value->strings();
}

const GgufValue* GgufFile::numericArray(const std::string& key) const
{
    const GgufValue* value = find(key);
    if (!value) {
        return nullptr;
    }
    const GgufValueType element = value->elementType();
    require(value->isArray() && element != GgufValueType::String && element != GgufValueType::Array
                && element != GgufValueType::Bool,
            ErrorCode::CorruptFile, m_path + ": " + key + " must be a numeric array, found " + value->describe());
    return value;
}

} // namespace vora::core
