#include "core/image/image_header.h"

#include "core/error.h"

#include <cstring>
#include <string_view>

namespace vora::core {
namespace {

using namespace std::string_view_literals;

// Bounds-checked little/big-endian reads over an untrusted buffer.
class ByteReader {
public:
    ByteReader(const uint8_t* data, size_t size, const std::string& name) : m_data(data), m_size(size), m_name(name) {}

    size_t size() const { return m_size; }
    bool has(size_t offset, size_t count) const { return offset <= m_size && count <= m_size - offset; }
    void need(size_t offset, size_t count, const char* what) const
    {
        require(has(offset, count), ErrorCode::CorruptFile, m_name + ": truncated " + what);
    }
    uint8_t u8(size_t at) const { need(at, 1, "header"); return m_data[at]; }
    uint32_t be16(size_t at) const { need(at, 2, "header"); return uint32_t(m_data[at]) << 8 | m_data[at + 1]; }
    uint32_t le16(size_t at) const { need(at, 2, "header"); return uint32_t(m_data[at + 1]) << 8 | m_data[at]; }
    uint32_t be32(size_t at) const { return be16(at) << 16 | be16(at + 2); }
    uint32_t le32(size_t at) const { return le16(at + 2) << 16 | le16(at); }
    bool matches(size_t at, std::string_view text) const
    {
        return has(at, text.size()) && std::memcmp(m_data + at, text.data(), text.size()) == 0;
    }
    const uint8_t* data() const { return m_data; }
    const std::string& name() const { return m_name; }

private:
    const uint8_t* m_data;
    size_t m_size;
    const std::string& m_name;
};

ImageHeader probePng(const ByteReader& r)
{
    require(r.matches(12, "IHDR"sv), ErrorCode::CorruptFile, r.name() + ": PNG without IHDR chunk");
    ImageHeader h{ImageFormat::Png, r.be32(16), r.be32(20), false};
    const uint8_t bitDepth = r.u8(24);
    const uint8_t colourType = r.u8(25);
    h.sixteenBitGrey = bitDepth == 16 && colourType == 0;
    return h;
}

bool isStartOfFrame(uint8_t marker)
{
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Entropy-coded data escapes 0xFF as FF 00, so FF D9 after the first scan can only be the end marker.
bool hasEndOfImage(const ByteReader& r, size_t from)
{
    for (size_t i = from; i + 1 < r.size(); ++i) {
        if (r.data()[i] == 0xFF && r.data()[i + 1] == 0xD9) {
            return true;
        }
    }
    return false;
}

ImageHeader probeJpeg(const ByteReader& r)
{
    ImageHeader h{ImageFormat::Jpeg, 0, 0, false};
    bool haveFrame = false;
    size_t at = 2;
    while (true) {
        r.need(at, 2, "JPEG (no image data)");
        require(r.u8(at) == 0xFF, ErrorCode::CorruptFile, r.name() + ": damaged JPEG marker sequence");
        while (r.u8(at + 1) == 0xFF) {
            ++at;
        }
        const uint8_t marker = r.u8(at + 1);
        at += 2;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
            continue;
        }
        require(marker != 0xD9, ErrorCode::CorruptFile, r.name() + ": JPEG ends before its image data");
        const uint32_t length = r.be16(at);
        require(length >= 2, ErrorCode::CorruptFile, r.name() + ": damaged JPEG segment length");
        r.need(at, length, "JPEG segment");
        if (isStartOfFrame(marker) && !haveFrame) {
            h.height = r.be16(at + 3);
            h.width = r.be16(at + 5);
            haveFrame = true;
        }
        if (marker == 0xDA) {
            require(haveFrame, ErrorCode::CorruptFile, r.name() + ": JPEG scan before its frame header");
            require(hasEndOfImage(r, at + length), ErrorCode::CorruptFile,
                    r.name() + ": truncated JPEG (no end-of-image marker)");
            return h;
        }
        at += length;
    }
}

ImageHeader probeBmp(const ByteReader& r)
{
    const uint32_t dibSize = r.le32(14);
    if (dibSize == 12) {
        return {ImageFormat::Bmp, r.le16(18), r.le16(20), false};
    }
    const int64_t height = static_cast<int32_t>(r.le32(22));
    return {ImageFormat::Bmp, static_cast<int32_t>(r.le32(18)), height < 0 ? -height : height, false};
}

ImageHeader probeWebP(const ByteReader& r)
{
    if (r.matches(12, "VP8X"sv)) {
        const uint32_t w = r.le16(24) | uint32_t(r.u8(26)) << 16;
        const uint32_t h = r.le16(27) | uint32_t(r.u8(29)) << 16;
        return {ImageFormat::WebP, int64_t(w) + 1, int64_t(h) + 1, false};
    }
    if (r.matches(12, "VP8L"sv)) {
        require(r.u8(20) == 0x2F, ErrorCode::CorruptFile, r.name() + ": damaged lossless WebP header");
        const uint32_t bits = r.le32(21);
        return {ImageFormat::WebP, int64_t(bits & 0x3FFF) + 1, int64_t((bits >> 14) & 0x3FFF) + 1, false};
    }
    if (r.matches(12, "VP8 "sv)) {
        require(r.u8(23) == 0x9D && r.u8(24) == 0x01 && r.u8(25) == 0x2A, ErrorCode::CorruptFile,
                r.name() + ": damaged lossy WebP header");
        return {ImageFormat::WebP, r.le16(26) & 0x3FFF, r.le16(28) & 0x3FFF, false};
    }
    throw Error(ErrorCode::UnsupportedFormat, r.name() + ": unknown WebP chunk layout");
}

ImageHeader probeTiff(const ByteReader& r)
{
    const bool little = r.u8(0) == 'I';
    auto u16 = [&](size_t at) { return little ? r.le16(at) : r.be16(at); };
    auto u32 = [&](size_t at) { return little ? r.le32(at) : r.be32(at); };
    require(u16(2) == 42, ErrorCode::UnsupportedFormat, r.name() + ": BigTIFF is not supported");
    const size_t ifd = u32(4);
    const uint32_t entries = u16(ifd);
    ImageHeader h{ImageFormat::Tiff, 0, 0, false};
    uint32_t samples = 1;
    uint32_t bits = 1;
    for (uint32_t i = 0; i < entries; ++i) {
        const size_t e = ifd + 2 + 12 * size_t(i);
        const uint32_t tag = u16(e);
        const uint32_t type = u16(e + 2);
        const uint32_t value = type == 3 ? u16(e + 8) : u32(e + 8); // SHORT values sit left-aligned
        if (tag == 256) {
            h.width = value;
        } else if (tag == 257) {
            h.height = value;
        } else if (tag == 258) {
            bits = u32(e + 4) <= 2 ? value : u16(u32(e + 8));
        } else if (tag == 277) {
            samples = value;
        }
    }
    h.sixteenBitGrey = bits == 16 && samples == 1;
    return h;
}

// Binary netpbm: magic, whitespace, then width, height and maxval as decimal numbers separated by
// whitespace and '#' comments (to the end of the line), then exactly one whitespace byte before the
// raster. Bounded: the header must end within kMaxNetpbmHeader bytes and numbers have at most 9 digits.
constexpr size_t kMaxNetpbmHeader = 1024;
constexpr int kMaxNetpbmDigits = 9;

bool isNetpbmSpace(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

class NetpbmHeaderParser {
public:
    NetpbmHeaderParser(const ByteReader& r, const char* kind) : m_r(r), m_kind(kind) {}

    // Whitespace and comments before a number; at least one separator is required.
    void separator()
    {
        const size_t start = m_at;
        while (true) {
            const uint8_t c = byte("header");
            if (isNetpbmSpace(c)) {
                ++m_at;
            } else if (c == '#') {
                while (byte("comment") != '\n' && byte("comment") != '\r') {
                    ++m_at;
                }
            } else {
                break;
            }
        }
        require(m_at > start, ErrorCode::CorruptFile, prefix() + "header fields are not separated by whitespace");
    }

    int64_t number(const char* field)
    {
        separator();
        int64_t value = 0;
        int digits = 0;
        for (uint8_t c = byte(field); c >= '0' && c <= '9'; c = byte(field)) {
            require(++digits <= kMaxNetpbmDigits, ErrorCode::CorruptFile,
                    prefix() + field + " has more than " + std::to_string(kMaxNetpbmDigits) + " digits");
            value = value * 10 + (c - '0');
            ++m_at;
        }
        require(digits > 0, ErrorCode::CorruptFile, prefix() + field + " is not a decimal number");
        return value;
    }

    size_t finish()
    {
        require(isNetpbmSpace(byte("header end")), ErrorCode::CorruptFile,
                prefix() + "maxval is not followed by a whitespace byte");
        return m_at + 1;
    }

private:
    std::string prefix() const { return m_r.name() + ": " + m_kind + " "; } // "photo.ppm: PPM "

    uint8_t byte(const char* what)
    {
        require(m_at < kMaxNetpbmHeader, ErrorCode::CorruptFile,
                prefix() + "header is longer than " + std::to_string(kMaxNetpbmHeader) + " bytes");
        m_r.need(m_at, 1, (std::string(m_kind) + " " + what).c_str());
        return m_r.u8(m_at);
    }

    const ByteReader& m_r;
    const char* m_kind;
    size_t m_at = 2; // after the magic "P5" / "P6"
};

ImageHeader probeNetpbm(const ByteReader& r)
{
    const uint8_t variant = r.u8(1);
    require(variant == '5' || variant == '6', ErrorCode::UnsupportedFormat,
            r.name() + ": netpbm P" + std::string(1, static_cast<char>(variant)) +
                " is not supported (only binary P5 greyscale and P6 colour with maxval 255)");
    ImageHeader h{variant == '6' ? ImageFormat::Ppm : ImageFormat::Pgm, 0, 0, false};
    const char* kind = imageFormatName(h.format);
    NetpbmHeaderParser parser(r, kind);
    h.width = parser.number("width");
    h.height = parser.number("height");
    const int64_t maxval = parser.number("maxval");
    require(maxval > 0 && maxval <= 65535, ErrorCode::CorruptFile,
            r.name() + ": " + kind + " maxval " + std::to_string(maxval) + " is outside 1..65535");
    require(maxval == 255, ErrorCode::UnsupportedFormat,
            r.name() + ": " + kind + " maxval " + std::to_string(maxval) + " is not supported (only 255, 8-bit)");
    h.rasterOffset = parser.finish();
    return h;
}

bool looksLikeNetpbm(const ByteReader& r)
{
    return r.has(0, 3) && r.u8(0) == 'P' && r.u8(1) >= '1' && r.u8(1) <= '7'
        && (isNetpbmSpace(r.u8(2)) || r.u8(2) == '#');
}

ImageHeader probeByMagic(const ByteReader& r)
{
    if (r.matches(0, "\x89PNG\r\n\x1a\n"sv)) {
        return probePng(r);
    }
    if (r.has(0, 3) && r.data()[0] == 0xFF && r.data()[1] == 0xD8 && r.data()[2] == 0xFF) {
        return probeJpeg(r);
    }
    if (r.matches(0, "BM"sv)) {
        return probeBmp(r);
    }
    if (r.matches(0, "RIFF"sv) && r.matches(8, "WEBP"sv)) {
        return probeWebP(r);
    }
    if (r.matches(0, "II*"sv) || r.matches(0, "MM\0*"sv) || r.matches(0, "II+"sv) || r.matches(0, "MM\0+"sv)) {
        return probeTiff(r);
    }
    if (looksLikeNetpbm(r)) {
        return probeNetpbm(r);
    }
    throw Error(ErrorCode::UnsupportedFormat, r.name() + ": not a PNG, JPEG, WebP, BMP, TIFF, PPM or PGM image");
}

} // namespace

const char* imageFormatName(ImageFormat format)
{
    switch (format) {
    case ImageFormat::Png: return "PNG";
    case ImageFormat::Jpeg: return "JPEG";
    case ImageFormat::WebP: return "WebP";
    case ImageFormat::Bmp: return "BMP";
    case ImageFormat::Tiff: return "TIFF";
    case ImageFormat::Ppm: return "PPM";
    case ImageFormat::Pgm: return "PGM";
    }
    return "image";
}

ImageHeader probeImageHeader(const uint8_t* data, size_t size, const std::string& nameForErrors)
{
    require(size > 0, ErrorCode::CorruptFile, nameForErrors + ": empty file");
    const ByteReader reader(data, size, nameForErrors);
    const ImageHeader header = probeByMagic(reader);
    require(header.width > 0 && header.height > 0, ErrorCode::CorruptFile,
            nameForErrors + ": " + imageFormatName(header.format) + " header gives a zero image size");
    return header;
}

} // namespace vora::core
