#pragma once
// The GGUF value types and ggml tensor types with their block layouts, as the GGUF specification
// (docs/gguf-import.md) and ggml define them. Plain C++ (no torch): the fuzz harnesses link it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vora::core {

// Metadata value types; the numbers are the on-disk tags.
enum class GgufValueType : uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
    String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};

std::optional<GgufValueType> ggufValueTypeFromTag(uint32_t tag);
std::string_view ggufValueTypeName(GgufValueType type);
// Bytes of one value of a fixed-size type; 0 for String and Array.
uint32_t ggufValueTypeSize(GgufValueType type);

// ggml tensor types; the numbers are the on-disk tags.
enum class GgmlType : uint32_t {
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22, IQ4_XS = 23,
    I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30, TQ1_0 = 34, TQ2_0 = 35,
};

struct GgmlTypeTraits {
    GgmlType type;
    std::string_view name;
    uint32_t blockElements; // elements per block (1 for plain types)
    uint32_t blockBytes;    // bytes per block
};

// The traits of a known tag; nullopt for tags this reader does not know (the file is refused).
std::optional<GgmlTypeTraits> ggmlTypeTraits(uint32_t tag);
const GgmlTypeTraits& ggmlTypeTraits(GgmlType type);
std::string_view ggmlTypeName(GgmlType type);

} // namespace vora::core
