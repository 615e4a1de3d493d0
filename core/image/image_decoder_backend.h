#pragma once
// Internal: the pixel decoder behind decodeImageBytes, chosen at build time
// (image_decoder_opencv.cpp with OpenCV, image_decoder_fallback.cpp without).
#include "core/image/decoded_image.h"
#include "core/image/image_header.h"

#include <string>
#include <vector>

namespace vora::core {

// `header` has been checked against the limits; the result must have its dimensions
// (swapped when EXIF orientation rotates the picture).
DecodedImage decodePixels(const std::vector<uint8_t>& bytes, const ImageHeader& header, const std::string& name);

} // namespace vora::core
