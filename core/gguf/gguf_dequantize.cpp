#include "core/gguf/gguf_dequantize.h"

#include "core/error.h"
#include "core/gguf/gguf_file.h"

#include <bit>
#include <cmath>
#include <string>

namespace vora::core {
namespace {

uint16_t le16(const uint8_t* p)
{
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

uint32_t le32(const uint8_t* p)
{
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16)
        | (static_cast<uint32_t>(p[3]) << 24);
}

// Q4_0: f16 scale d, 16 bytes of nibbles; element j is the low nibble of qs[j], element j+16 the
// high one; value = d * (q - 8).
void blockQ4_0(const uint8_t* block, float* out)
{
    const float d = halfToFloat(le16(block));
    const uint8_t* qs = block + 2;
    for (int j = 0; j < 16; ++j) {
        out[j] = d * static_cast<float>((qs[j] & 0x0F) - 8);
        out[j + 16] = d * static_cast<float>((qs[j] >> 4) - 8);
    }
}

// Q4_1: f16 scale d and minimum m, nibbles as Q4_0; value = d * q + m.
void blockQ4_1(const uint8_t* block, float* out)
{
    const float d = halfToFloat(le16(block));
    const float m = halfToFloat(le16(block + 2));
    const uint8_t* qs = block + 4;
    for (int j = 0; j < 16; ++j) {
        out[j] = d * static_cast<float>(qs[j] & 0x0F) + m;
        out[j + 16] = d * static_cast<float>(qs[j] >> 4) + m;
    }
}

// Q8_0: f16 scale d, 32 signed bytes; value = q * d.
void blockQ8_0(const uint8_t* block, float* out)
{
    const float d = halfToFloat(le16(block));
    for (int j = 0; j < 32; ++j) {
        out[j] = static_cast<float>(static_cast<int8_t>(block[2 + j])) * d;
    }
}

// The 6-bit scale and minimum of sub-block j, packed into 12 bytes (ggml's get_scale_min_k4).
void q4kScaleMin(int j, const uint8_t* scales, uint8_t& scale, uint8_t& min)
{
    if (j < 4) {
        scale = scales[j] & 63;
        min = scales[j + 4] & 63;
    } else {
        scale = static_cast<uint8_t>((scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4));
        min = static_cast<uint8_t>((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4));
    }
}

// Q4_K super-block of 256: f16 d and dmin, 12 bytes of packed 6-bit scales/mins for 8 sub-blocks of
// 32, then 128 bytes of nibbles. Each 32-byte chunk of nibbles holds two sub-blocks: the low
// nibbles first, then the high ones. value = (d * scale) * q - (dmin * min).
void blockQ4_K(const uint8_t* block, float* out)
{
    const float d = halfToFloat(le16(block));
    const float dmin = halfToFloat(le16(block + 2));
    const uint8_t* scales = block + 4;
    const uint8_t* qs = block + 16;
    for (int chunk = 0; chunk < 4; ++chunk) {
        uint8_t scale = 0;
        uint8_t min = 0;
        q4kScaleMin(2 * chunk, scales, scale, min);
        const float d1 = d * static_cast<float>(scale);
        const float m1 = dmin * static_cast<float>(min);
        q4kScaleMin(2 * chunk + 1, scales, scale, min);
        const float d2 = d * static_cast<float>(scale);
        const float m2 = dmin * static_cast<float>(min);
        const uint8_t* q = qs + 32 * chunk;
        float* y = out + 64 * chunk;
        for (int l = 0; l < 32; ++l) {
            y[l] = d1 * static_cast<float>(q[l] & 0x0F) - m1;
            y[l + 32] = d2 * static_cast<float>(q[l] >> 4) - m2;
        }
    }
}

// Q6_K super-block of 256: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 signed 8-bit
// scales (one per 16 elements), f16 d. Each half of 128 elements uses 64 low-nibble bytes and 32
// high-bit bytes. value = (d * scale) * (q - 32).
void blockQ6_K(const uint8_t* block, float* out)
{
    const uint8_t* ql = block;
    const uint8_t* qh = block + 128;
    const auto* sc = reinterpret_cast<const int8_t*>(block + 192);
    const float d = halfToFloat(le16(block + 208));
    for (int half = 0; half < 2; ++half) {
        float* y = out + 128 * half;
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
            y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
            y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
            y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
        }
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

} // namespace

float halfToFloat(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    const uint32_t exponent = h & 0x7C00;
    uint32_t mantissa = h & 0x03FF;
    if (exponent == 0x7C00) { // infinity or NaN
        return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
    }
    if (exponent != 0) {
        return std::bit_cast<float>(sign | ((static_cast<uint32_t>(h & 0x7FFF) + 0x1C000u) << 13));
    }
    if (mantissa == 0) {
        return std::bit_cast<float>(sign);
    }
    // Subnormal: normalise the mantissa.
    int shift = 0;
    while ((mantissa & 0x0400) == 0) {
        mantissa <<= 1;
        ++shift;
    }
    const uint32_t floatExponent = static_cast<uint32_t>(127 - 15 - shift + 1) << 23;
    return std::bit_cast<float>(sign | floatExponent | ((mantissa & 0x03FF) << 13));
}

float bfloat16ToFloat(uint16_t bits)
{
    return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

uint16_t floatToBfloat16(float value)
{
    if (std::isnan(value)) {
        return 0x7FC0;
    }
    const auto bits = std::bit_cast<uint32_t>(value);
    const uint32_t roundingBias = ((bits >> 16) & 1) + 0x7FFF;
    return static_cast<uint16_t>((bits + roundingBias) >> 16);
}

bool canDequantize(GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q8_0:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q4_K:
    case GgmlType::Q6_K: return true;
    default: return false;
    }
}

void dequantize(GgmlType type, std::span<const uint8_t> in, std::span<float> out)
{
    require(canDequantize(type), ErrorCode::UnsupportedFormat,
            "tensor type " + std::string(ggmlTypeName(type)) + " cannot be dequantised (supported: F32, F16, BF16, "
                "Q8_0, Q4_0, Q4_1, Q4_K, Q6_K)");
    const GgmlTypeTraits& traits = ggmlTypeTraits(type);
    require(out.size() % traits.blockElements == 0 && in.size() == out.size() / traits.blockElements * traits.blockBytes,
            ErrorCode::InvalidArgument,
            std::string(traits.name) + ": " + std::to_string(in.size()) + " bytes do not encode " +
                std::to_string(out.size()) + " elements");
    const size_t blocks = out.size() / traits.blockElements;
    const uint8_t* src = in.data();
    float* dst = out.data();
    for (size_t b = 0; b < blocks; ++b, src += traits.blockBytes, dst += traits.blockElements) {
        switch (type) {
        case GgmlType::F32: *dst = std::bit_cast<float>(le32(src)); break;
        case GgmlType::F16: *dst = halfToFloat(le16(src)); break;
        case GgmlType::BF16: *dst = bfloat16ToFloat(le16(src)); break;
        case GgmlType::Q8_0: blockQ8_0(src, dst); break;
        case GgmlType::Q4_0: blockQ4_0(src, dst); break;
        case GgmlType::Q4_1: blockQ4_1(src, dst); break;
        case GgmlType::Q4_K: blockQ4_K(src, dst); break;
        case GgmlType::Q6_K: blockQ6_K(src, dst); break;
        default: break;
        }
    }
}

std::vector<float> dequantizeTensor(const GgufFile& file, const GgufTensorInfo& info)
{
    require(canDequantize(info.type), ErrorCode::UnsupportedFormat,
            file.path() + ": tensor " + info.describe() + ": type " + std::string(ggmlTypeName(info.type))
                + " cannot be dequantised (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K)");
    std::vector<float> out(info.elementCount());
    dequantize(info.type, file.tensorData(info), out);
    return out;
}

} // namespace vora::core
