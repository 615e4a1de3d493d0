#pragma once
// Element types as safetensors names them, with their sizes. Plain C++ (no torch).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vora::core {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

std::optional<DType> parseDType(std::string_view name);
std::string_view dtypeName(DType dtype);
int64_t dtypeSize(DType dtype);

} // namespace vora::core
