#include "core/image/netpbm_decoder.h"

#include "core/error.h"

#include <algorithm>

namespace vora::core {

DecodedImage decodeNetpbm(const std::vector<uint8_t>& bytes, const ImageHeader& header, const std::string& name)
{
    require(isNetpbm(header.format), ErrorCode::Internal, name + ": not a PPM or PGM header");
    const uint64_t channels = header.format == ImageFormat::Ppm ? 3 : 1;
    const uint64_t pixels = static_cast<uint64_t>(header.width) * static_cast<uint64_t>(header.height);
    const uint64_t needed = pixels * channels; // width and height have at most 9 digits: no overflow
    const uint64_t available = bytes.size() > header.rasterOffset ? bytes.size() - header.rasterOffset : 0;
    require(available >= needed, ErrorCode::CorruptFile,
            name + ": truncated " + imageFormatName(header.format) + ": the raster needs " + std::to_string(needed) +
                " bytes, the file has " + std::to_string(available) + " after its header");
    DecodedImage image;
    image.width = static_cast<int>(header.width);
    image.height = static_cast<int>(header.height);
    const uint8_t* raster = bytes.data() + header.rasterOffset;
    if (channels == 3) {
        image.rgb.assign(raster, raster + needed);
        return image;
    }
    image.rgb.resize(pixels * 3);
    for (uint64_t i = 0; i < pixels; ++i) {
        std::fill_n(image.rgb.data() + 3 * i, 3, raster[i]);
    }
    return image;
}

} // namespace vora::core
