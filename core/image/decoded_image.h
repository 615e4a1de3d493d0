#pragma once
// A decoded picture as plain bytes, the hand-over between decoding (OpenCV, or a GUI toolkit's
// decoder) and preprocessing. No torch and no OpenCV types here.
#include <cstdint>
#include <vector>

namespace vora::core {

struct DecodedImage {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgb; // row-major RGB8, width * height * 3 bytes, after EXIF orientation
};

} // namespace vora::core
