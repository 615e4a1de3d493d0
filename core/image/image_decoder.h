#pragma once
// Decodes PNG, JPEG, WebP, BMP, TIFF and binary PPM/PGM (maxval 255) files into RGB8 the way PIL's Image.open(...).convert("RGB")
// does, except that EXIF orientation IS applied (PIL leaves it to the caller):
//   - alpha is dropped, never composited (grey+alpha, RGBA, palette with transparency);
//   - grey and palette images are expanded to RGB;
//   - 16-bit colour samples keep their high byte (v >> 8); 16-bit single-channel grey is clamped to
//     255 (PIL's "I;16" -> "RGB" conversion), which is what the released models were fed.
// PPM/PGM are decoded by our own code (netpbm_decoder.h) in every build; the other formats need
// OpenCV, and a build without it throws UnsupportedFormat for them (callers pass a PPM or pixels
// from `vora preprocess` instead). Thread-safe: no shared state.
#include "core/image/decoded_image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vora::core {

struct DecodeLimits {
    int64_t maxPixels = 120'000'000;     // decompression-bomb guard, read from the header BEFORE decoding
    int64_t maxFileBytes = 512LL << 20;
};

// Errors (core::Error): FileNotFound, Io, CorruptFile (truncated, damaged, empty, zero-size),
// UnsupportedFormat (not one of the formats above, netpbm other than binary maxval-255 P5/P6, or
// no OpenCV in this build),
// InvalidArgument (file or pixel count over the limits).
DecodedImage decodeImageFile(const std::string& path, const DecodeLimits& limits = {});
DecodedImage decodeImageBytes(const std::vector<uint8_t>& bytes, const DecodeLimits& limits = {},
                              const std::string& nameForErrors = "image");

} // namespace vora::core
