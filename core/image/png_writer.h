#pragma once
// Writes an RGB8 picture (decoded_image.h) as a PNG file, with OpenCV's encoder (png_writer_opencv.cpp);
// a build without OpenCV throws UnsupportedFormat (png_writer_fallback.cpp). Thread-safe.
#include "core/image/decoded_image.h"

#include <string>

namespace vora::core {

// Throws Error: InvalidArgument (size and bytes disagree), Io (cannot write path), UnsupportedFormat.
void writePng(const DecodedImage& image, const std::string& path);

} // namespace vora::core
