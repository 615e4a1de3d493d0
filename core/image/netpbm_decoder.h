#pragma once
// Binary PPM (P6) and PGM (P5) with maxval 255, decoded by our own code in every build, with or
// without OpenCV, so that both give the same pixels (and the GPU build, which has no image codec
// library, can read the synthetic training pictures). Grey is expanded to RGB like PIL's
// convert("RGB"). Trailing bytes after the raster are ignored, as PIL does.
#include "core/image/decoded_image.h"
#include "core/image/image_header.h"

#include <string>
#include <vector>

namespace vora::core {

// header comes from probeImageHeader and has passed the pixel limit. Throws CorruptFile when the
// raster is shorter than width x height x channels bytes.
DecodedImage decodeNetpbm(const std::vector<uint8_t>& bytes, const ImageHeader& header, const std::string& name);

} // namespace vora::core
