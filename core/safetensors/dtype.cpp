#include "core/safetensors/dtype.h"

#include <array>
#include <utility>

namespace vora::core {
namespace {

struct DTypeEntry {
    DType dtype;
    std::string_view name;
    int64_t size;
};

constexpr std::array<DTypeEntry, 10> kDTypes = {{
    {DType::F64, "F64", 8},
    {DType::F32, "F32", 4},
    {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8},
    {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},
    {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},
    {DType::Bool, "BOOL", 1},
}};

} // namespace

std::optional<DType> parseDType(std::string_view name)
{
    for (const auto& entry : kDTypes) {
        if (entry.name == name) {
            return entry.dtype;
        }
    }
    return std::nullopt;
}

std::string_view dtypeName(DType dtype)
{
    for (const auto& entry : kDTypes) {
        if (entry.dtype == dtype) {
            return entry.name;
        }
    }
    return "?";
}

int64_t dtypeSize(DType dtype)
{
    for (const auto& entry : kDTypes) {
        if (entry.dtype == dtype) {
            return entry.size;
        }
    }
    return 0;
}

} // namespace vora::core
