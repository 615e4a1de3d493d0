#pragma once
// Reads an image's dimensions from its header without decoding pixels, so that limits can be
// enforced before a decoder allocates anything. Also spots truncated JPEGs, which libjpeg would
// otherwise decode silently with a grey bottom. Binary netpbm (PPM P6 / PGM P5) headers are parsed
// completely, since our own decoder reads their raster from rasterOffset.
#include <cstddef>
#include <cstdint>
#include <string>

namespace vora::core {

enum class ImageFormat { Png, Jpeg, WebP, Bmp, Tiff, Ppm, Pgm };

struct ImageHeader {
    ImageFormat format = ImageFormat::Png;
    int64_t width = 0;
    int64_t height = 0;
    // PIL opens 16-bit single-channel images as "I;16", whose RGB conversion clamps at 255.
    bool sixteenBitGrey = false;
    size_t rasterOffset = 0; // PPM / PGM: where the samples start (after the header's one final whitespace)
};

inline bool isNetpbm(ImageFormat format) { return format == ImageFormat::Ppm || format == ImageFormat::Pgm; }

const char* imageFormatName(ImageFormat format);

// Throws CorruptFile (truncated or inconsistent header, zero size) or UnsupportedFormat.
ImageHeader probeImageHeader(const uint8_t* data, size_t size, const std::string& nameForErrors);

} // namespace vora::core
