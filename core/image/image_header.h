#pragma once
// Reads an image's dimensions from its header without decoding pixels, so that limits can be
// enforced before a decoder allocates anything. Also spots truncated JPEGs, which libjpeg would
// otherwise decode silently with a grey bottom.
#include <cstddef>
#include <cstdint>
#include <string>

namespace vora::core {

enum class ImageFormat { Png, Jpeg, WebP, Bmp, Tiff };

struct ImageHeader {
    ImageFormat format = ImageFormat::Png;
    int64_t width = 0;
    int64_t height = 0;
    // PIL opens 16-bit single-channel images as "I;16", whose RGB conversion clamps at 255.
    bool sixteenBitGrey = false;
};

const char* imageFormatName(ImageFormat format);

// Throws CorruptFile (truncated or inconsistent header, zero size) or UnsupportedFormat.
ImageHeader probeImageHeader(const uint8_t* data, size_t size, const std::string& nameForErrors);

} // namespace vora::core
