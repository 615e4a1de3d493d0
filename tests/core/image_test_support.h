#pragma once
// Shared by the image tests: the fixture manifest written by tests/reference/image_reference.py,
// its synthetic images, and a byte hash the script computes the same way.
#include "core/image/decoded_image.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

namespace vora::test {

inline std::string imageDataPath(const std::string& relative)
{
    return std::string(VORA_TEST_DATA_DIR) + "/image/" + relative;
}

inline const nlohmann::json& imageManifest()
{
    static const nlohmann::json manifest = [] {
        std::ifstream in(imageDataPath("manifest.json"));
        return nlohmann::json::parse(in);
    }();
    return manifest;
}

// Gradients plus an 8x8 checkerboard; synthetic() in image_reference.py.
inline core::DecodedImage syntheticImage(int width, int height)
{
    core::DecodedImage image{width, height, std::vector<uint8_t>(size_t(width) * height * 3)};
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            uint8_t* px = image.rgb.data() + (size_t(y) * width + x) * 3;
            px[0] = static_cast<uint8_t>(int64_t(x) * 255 / std::max(width - 1, 1));
            px[1] = static_cast<uint8_t>(int64_t(y) * 255 / std::max(height - 1, 1));
            px[2] = static_cast<uint8_t>(30 + ((x / (width / 8 + 1) + y / (height / 8 + 1)) % 2) * 200);
        }
    }
    return image;
}

inline std::string fnv1a64(const std::vector<uint8_t>& bytes)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (const uint8_t b : bytes) {
        h = (h ^ b) * 0x100000001B3ULL;
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
    return text;
}

} // namespace vora::test
