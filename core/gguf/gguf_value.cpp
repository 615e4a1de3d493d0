#include "core/gguf/gguf_value.h"

#include <bit>
#include <limits>

namespace vora::core {
namespace {

bool isUnsignedType(GgufValueType type)
{
    return type == GgufValueType::U8 || type == GgufValueType::U16 || type == GgufValueType::U32
        || type == GgufValueType::U64;
}

bool isSignedType(GgufValueType type)
{
    return type == GgufValueType::I8 || type == GgufValueType::I16 || type == GgufValueType::I32
        || type == GgufValueType::I64;
}

uint64_t littleEndian(const uint8_t* bytes, uint32_t size)
{
    uint64_t value = 0;
    for (uint32_t i = 0; i < size; ++i) {
        value |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    }
    return value;
}

// Sign-extends the low `bits` bits of raw.
int64_t signExtend(uint64_t raw, uint32_t bits)
{
    if (bits == 64) {
        return static_cast<int64_t>(raw);
    }
    const uint64_t sign = uint64_t{1} << (bits - 1);
    return static_cast<int64_t>((raw ^ sign) - sign);
}

} // namespace

GgufValue GgufValue::unsignedInteger(GgufValueType type, uint64_t value)
{
    GgufValue v;
    v.m_type = type;
    v.m_unsigned = value;
    return v;
}

GgufValue GgufValue::signedInteger(GgufValueType type, int64_t value)
{
    GgufValue v;
    v.m_type = type;
    v.m_signed = value;
    return v;
}

GgufValue GgufValue::floating(GgufValueType type, double value)
{
    GgufValue v;
    v.m_type = type;
    v.m_float = value;
    return v;
}

GgufValue GgufValue::boolean(bool value)
{
    GgufValue v;
    v.m_type = GgufValueType::Bool;
    v.m_unsigned = value ? 1 : 0;
    return v;
}

GgufValue GgufValue::string(std::string value)
{
    GgufValue v;
    v.m_type = GgufValueType::String;
    v.m_string = std::move(value);
    return v;
}

GgufValue GgufValue::numericArray(GgufValueType elementType, std::vector<uint8_t> bytes, uint64_t count)
{
    GgufValue v;
    v.m_type = GgufValueType::Array;
    v.m_elementType = elementType;
    v.m_bytes = std::move(bytes);
    v.m_count = count;
    return v;
}

GgufValue GgufValue::stringArray(std::vector<std::string> items)
{
    GgufValue v;
    v.m_type = GgufValueType::Array;
    v.m_elementType = GgufValueType::String;
    v.m_count = items.size();
    v.m_strings = std::move(items);
    return v;
}

GgufValue GgufValue::arrayOfArrays(std::vector<GgufValue> items)
{
    GgufValue v;
    v.m_type = GgufValueType::Array;
    v.m_elementType = GgufValueType::Array;
    v.m_count = items.size();
    v.m_items = std::move(items);
    return v;
}

std::optional<uint64_t> GgufValue::asUnsigned() const
{
    if (isUnsignedType(m_type)) {
        return m_unsigned;
    }
    if (isSignedType(m_type) && m_signed >= 0) {
        return static_cast<uint64_t>(m_signed);
    }
    return std::nullopt;
}

std::optional<int64_t> GgufValue::asSigned() const
{
    if (isSignedType(m_type)) {
        return m_signed;
    }
    if (isUnsignedType(m_type) && m_unsigned <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return static_cast<int64_t>(m_unsigned);
    }
    return std::nullopt;
}

std::optional<double> GgufValue::asNumber() const
{
    if (m_type == GgufValueType::F32 || m_type == GgufValueType::F64) {
        return m_float;
    }
    if (isSignedType(m_type)) {
        return static_cast<double>(m_signed);
    }
    if (isUnsignedType(m_type)) {
        return static_cast<double>(m_unsigned);
    }
    return std::nullopt;
}

std::optional<bool> GgufValue::asBool() const
{
    return m_type == GgufValueType::Bool ? std::optional<bool>(m_unsigned != 0) : std::nullopt;
}

const std::string* GgufValue::asString() const
{
    return m_type == GgufValueType::String ? &m_string : nullptr;
}

std::optional<int64_t> GgufValue::signedAt(uint64_t i) const
{
    const uint32_t size = ggufValueTypeSize(m_elementType);
    if (!isArray() || i >= m_count || !(isSignedType(m_elementType) || isUnsignedType(m_elementType))) {
        return std::nullopt;
    }
    const uint64_t raw = littleEndian(m_bytes.data() + i * size, size);
    if (isSignedType(m_elementType)) {
        return signExtend(raw, size * 8);
    }
    if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
    }
    return static_cast<int64_t>(raw);
}

std::optional<double> GgufValue::numberAt(uint64_t i) const
{
    if (!isArray() || i >= m_count) {
        return std::nullopt;
    }
    const uint32_t size = ggufValueTypeSize(m_elementType);
    if (m_elementType == GgufValueType::F32) {
        return static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(littleEndian(m_bytes.data() + i * 4, 4))));
    }
    if (m_elementType == GgufValueType::F64) {
        return std::bit_cast<double>(littleEndian(m_bytes.data() + i * size, size));
    }
    if (isUnsignedType(m_elementType)) {
        return static_cast<double>(littleEndian(m_bytes.data() + i * size, size));
    }
    const auto value = signedAt(i);
    return value ? std::optional<double>(static_cast<double>(*value)) : std::nullopt;
}

const std::vector<std::string>* GgufValue::strings() const
{
    return isArray() && m_elementType == GgufValueType::String ? &m_strings : nullptr;
}

const std::vector<GgufValue>* GgufValue::items() const
{
    return isArray() && m_elementType == GgufValueType::Array ? &m_items : nullptr;
}

std::string GgufValue::describe() const
{
    const std::string type(ggufValueTypeName(m_type));
    if (isArray()) {
        return "array[" + std::to_string(m_count) + "] of " + std::string(ggufValueTypeName(m_elementType));
    }
    if (m_type == GgufValueType::String) {
        return "string of " + std::to_string(m_string.size()) + " bytes";
    }
    if (m_type == GgufValueType::Bool) {
        return type + (m_unsigned ? " true" : " false");
    }
    if (isUnsignedType(m_type)) {
        return type + " " + std::to_string(m_unsigned);
    }
    if (isSignedType(m_type)) {
        return type + " " + std::to_string(m_signed);
    }
    return type + " " + std::to_string(m_float);
}

} // namespace vora::core
