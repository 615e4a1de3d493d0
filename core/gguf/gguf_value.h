#pragma once
// One GGUF metadata value: a scalar, a string, or an array (of scalars, strings or arrays).
// Numeric arrays keep their little-endian bytes (a hostile count cannot make memory grow faster
// than the file), read element by element through the accessors. Plain C++ (no torch).
#include "core/gguf/gguf_types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vora::core {

class GgufValue {
public:
    GgufValue() = default;
    static GgufValue unsignedInteger(GgufValueType type, uint64_t value);
    static GgufValue signedInteger(GgufValueType type, int64_t value);
    static GgufValue floating(GgufValueType type, double value);
    static GgufValue boolean(bool value);
    static GgufValue string(std::string value);
    static GgufValue numericArray(GgufValueType elementType, std::vector<uint8_t> bytes, uint64_t count);
    static GgufValue stringArray(std::vector<std::string> items);
    static GgufValue arrayOfArrays(std::vector<GgufValue> items);

    GgufValueType type() const { return m_type; }
    bool isArray() const { return m_type == GgufValueType::Array; }
    GgufValueType elementType() const { return m_elementType; } // arrays only
    uint64_t size() const { return m_count; }                   // arrays only

    // Scalars. Integers of any width convert when the value fits; nullopt otherwise.
    std::optional<uint64_t> asUnsigned() const;
    std::optional<int64_t> asSigned() const;
    std::optional<double> asNumber() const; // integers and floats
    std::optional<bool> asBool() const;
    const std::string* asString() const;

    // Arrays: element i as a number (numeric arrays), the strings (string arrays), the items
    // (arrays of arrays). Out-of-range i or another element type gives nullopt / nullptr.
    std::optional<int64_t> signedAt(uint64_t i) const;
    std::optional<double> numberAt(uint64_t i) const;
    const std::vector<std::string>* strings() const;
    const std::vector<GgufValue>* items() const;

    // "uint32 7", "string \"llama\"", "array[49152] of string": for messages.
    std::string describe() const;

private:
    GgufValueType m_type = GgufValueType::U8;
    GgufValueType m_elementType = GgufValueType::U8;
    uint64_t m_count = 0;
    uint64_t m_unsigned = 0;
    int64_t m_signed = 0;
    double m_float = 0;
    std::string m_string;
    std::vector<uint8_t> m_bytes;          // numeric arrays, little-endian
    std::vector<std::string> m_strings;   // string arrays
    std::vector<GgufValue> m_items;       // arrays of arrays
};

} // namespace vora::core
