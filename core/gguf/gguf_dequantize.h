#pragma once
// GGUF tensor encodings -> float32: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K and Q6_K, with the block
// layouts of ggml (docs/gguf-import.md). Plain loops in the operation order of ggml's reference
// dequantisation (and of the gguf Python package), so results are bit-identical to both; this file
// is compiled without floating-point contraction so that no a*b+c becomes a fused multiply-add.
// Plain C++ (no torch). Thread-safe.
#include "core/gguf/gguf_types.h"

#include <cstdint>
#include <span>
#include <vector>

namespace vora::core {

class GgufFile;
struct GgufTensorInfo;

bool canDequantize(GgmlType type);

// Decodes out.size() elements from `in`, which must hold exactly their encoding (a whole number of
// blocks). Throws Error(UnsupportedFormat) for a type canDequantize refuses, Error(InvalidArgument)
// when the sizes disagree.
void dequantize(GgmlType type, std::span<const uint8_t> in, std::span<float> out);

// The whole tensor as float32, in ggml order (row-major with dims[0] innermost). Throws as above,
// naming the file and tensor.
std::vector<float> dequantizeTensor(const GgufFile& file, const GgufTensorInfo& info);

// IEEE half -> float, exact (subnormals, infinities; NaN payloads kept).
float halfToFloat(uint16_t bits);
float bfloat16ToFloat(uint16_t bits);
// float -> bfloat16, rounding to nearest even; NaN becomes 0x7FC0 (as PyTorch converts).
uint16_t floatToBfloat16(float value);

} // namespace vora::core
