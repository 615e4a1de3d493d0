// The image header parser (PNG, JPEG, BMP, WebP, GIF, TIFF, PGM/PPM) and, for Netpbm, our own
// decoder: the pixel count it claims is bounded before any decoding.
#include "core/image/image_header.h"
#include "core/image/netpbm_decoder.h"
#include "fuzz_support.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const vora::core::ImageHeader header = vora::core::probeImageHeader(data, size, "fuzz.image");
        if (vora::core::isNetpbm(header.format) && int64_t(header.width) * header.height <= 4'000'000) {
            const std::vector<uint8_t> bytes(data, data + size);
            const vora::core::DecodedImage image = vora::core::decodeNetpbm(bytes, header, "fuzz.image");
            (void)image;
        }
    } catch (const vora::core::Error&) {
    }
    return 0;
}
