#include "core/gguf/gguf_types.h"


namespace vora::core {
namespace {

constexpr uint32_t kQkK = 256; // elements of a k-quant super-block

// Block layouts of every type ggml defines up to TQ2_0 (the sizes are what the file must hold;
// dequantisation exists for the subset in gguf_dequantize.h).
constexpr GgmlTypeTraits kTypes[] = {
    {GgmlType::F32, "F32", 1, 4},
    {GgmlType::F16, "F16", 1, 2},
    {GgmlType::Q4_0, "Q4_0", 32, 2 + 16},
    {GgmlType::Q4_1, "Q4_1", 32, 2 + 2 + 16},
    {GgmlType::Q5_0, "Q5_0", 32, 2 + 4 + 16},
    {GgmlType::Q5_1, "Q5_1", 32, 2 + 2 + 4 + 16},
    {GgmlType::Q8_0, "Q8_0", 32, 2 + 32},
    {GgmlType::Q8_1, "Q8_1", 32, 4 + 4 + 32},
    {GgmlType::Q2_K, "Q2_K", kQkK, 2 + 2 + kQkK / 16 + kQkK / 4},
    {GgmlType::Q3_K, "Q3_K", kQkK, 2 + kQkK / 4 + kQkK / 8 + 12},
    {GgmlType::Q4_K, "Q4_K", kQkK, 2 + 2 + kQkK / 2 + 12},
    {GgmlType::Q5_K, "Q5_K", kQkK, 2 + 2 + kQkK / 2 + kQkK / 8 + 12},
    {GgmlType::Q6_K, "Q6_K", kQkK, 2 + kQkK / 2 + kQkK / 4 + kQkK / 16},
    {GgmlType::Q8_K, "Q8_K", kQkK, 4 + kQkK + kQkK / 8},
    {GgmlType::IQ2_XXS, "IQ2_XXS", kQkK, 2 + kQkK / 4},
    {GgmlType::IQ2_XS, "IQ2_XS", kQkK, 2 + kQkK / 4 + kQkK / 32},
    {GgmlType::IQ3_XXS, "IQ3_XXS", kQkK, 2 + kQkK / 4 + kQkK / 8},
    {GgmlType::IQ1_S, "IQ1_S", kQkK, 2 + kQkK / 8 + kQkK / 16},
    {GgmlType::IQ4_NL, "IQ4_NL", 32, 2 + 16},
    {GgmlType::IQ3_S, "IQ3_S", kQkK, 2 + kQkK / 4 + kQkK / 8 + kQkK / 32 + 4},
    {GgmlType::IQ2_S, "IQ2_S", kQkK, 2 + kQkK / 4 + kQkK / 16},
    {GgmlType::IQ4_XS, "IQ4_XS", kQkK, 2 + 2 + kQkK / 2 + kQkK / 64},
    {GgmlType::I8, "I8", 1, 1},
    {GgmlType::I16, "I16", 1, 2},
    {GgmlType::I32, "I32", 1, 4},
    {GgmlType::I64, "I64", 1, 8},
    {GgmlType::F64, "F64", 1, 8},
    {GgmlType::IQ1_M, "IQ1_M", kQkK, kQkK / 8 + kQkK / 16 + kQkK / 32},
    {GgmlType::BF16, "BF16", 1, 2},
    {GgmlType::TQ1_0, "TQ1_0", kQkK, 2 + 4 * 13},
    {GgmlType::TQ2_0, "TQ2_0", kQkK, 2 + 64},
};

} // namespace

std::optional<GgufValueType> ggufValueTypeFromTag(uint32_t tag)
{
    if (tag > static_cast<uint32_t>(GgufValueType::F64)) {
        return std::nullopt;
    }
    return static_cast<GgufValueType>(tag);
}

std::string_view ggufValueTypeName(GgufValueType type)
{
    switch (type) {
    case GgufValueType::U8: return "uint8";
    case GgufValueType::I8: return "int8";
    case GgufValueType::U16: return "uint16";
    case GgufValueType::I16: return "int16";
    case GgufValueType::U32: return "uint32";
    case GgufValueType::I32: return "int32";
    case GgufValueType::F32: return "float32";
    case GgufValueType::Bool: return "bool";
    case GgufValueType::String: return "string";
    case GgufValueType::Array: return "array";
    case GgufValueType::U64: return "uint64";
    case GgufValueType::I64: return "int64";
    case GgufValueType::F64: return "float64";
    }
    return "unknown";
}

uint32_t ggufValueTypeSize(GgufValueType type)
{
    switch (type) {
    case GgufValueType::U8:
    case GgufValueType::I8:
    case GgufValueType::Bool: return 1;
    case GgufValueType::U16:
    case GgufValueType::I16: return 2;
    case GgufValueType::U32:
    case GgufValueType::I32:
    case GgufValueType::F32: return 4;
    case GgufValueType::U64:
    case GgufValueType::I64:
    case GgufValueType::F64: return 8;
    case GgufValueType::String:
    case GgufValueType::Array: return 0;
    }
    return 0;
}

std::optional<GgmlTypeTraits> ggmlTypeTraits(uint32_t tag)
{
    for (const GgmlTypeTraits& traits : kTypes) {
        if (static_cast<uint32_t>(traits.type) == tag) {
            return traits;
        }
    }
    return std::nullopt;
}

const GgmlTypeTraits& ggmlTypeTraits(GgmlType type)
{
    for (const GgmlTypeTraits& traits : kTypes) {
        if (traits.type == type) {
            return traits;
        }
    }
    return kTypes[0]; // unreachable: every enumerator is in the table
}

std::string_view ggmlTypeName(GgmlType type)
{
    return ggmlTypeTraits(type).name;
}

} // namespace vora::core
