#pragma once
// Small training data sets written on the fly (for tests/training and the `vora train` CLI tests).
#include <array>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace vora::testing {

inline void writeTextFile(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

// A 24-bit BMP whose pixel (x, y) has the colour pixel(x, y) -> {r, g, b} (the decoder reads BMP; no
// image library is needed to write one).
template <class Pixel>
void writeBmpOf(const std::string& path, int side, Pixel pixel)
{
    const int row = (side * 3 + 3) & ~3;
    const uint32_t size = 54 + static_cast<uint32_t>(row * side);
    std::vector<uint8_t> bytes(size, 0);
    auto put32 = [&](size_t at, uint32_t v) { for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(v >> (8 * i)); };
    bytes[0] = 'B';
    bytes[1] = 'M';
    put32(2, size);
    put32(10, 54);
    put32(14, 40);
    put32(18, static_cast<uint32_t>(side));
    put32(22, static_cast<uint32_t>(side));
    bytes[26] = 1;
    bytes[28] = 24;
    for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x) {
            const size_t at = 54 + static_cast<size_t>(y * row + x * 3);
            const std::array<uint8_t, 3> rgb = pixel(x, y);
            bytes[at] = rgb[2];
            bytes[at + 1] = rgb[1];
            bytes[at + 2] = rgb[0];
        }
    }
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A binary PPM (P6, maxval 255) of one colour, as the synthetic-data generator writes with --format ppm.
inline void writePpm(const std::string& path, int side, uint8_t r, uint8_t g, uint8_t b)
{
    std::string bytes = "P6\n" + std::to_string(side) + " " + std::to_string(side) + "\n255\n";
    for (int i = 0; i < side * side; ++i) {
        bytes += {static_cast<char>(r), static_cast<char>(g), static_cast<char>(b)};
    }
    writeTextFile(path, bytes);
}

inline void writeBmp(const std::string& path, int side, uint8_t r, uint8_t g, uint8_t b)
{
    writeBmpOf(path, side, [&](int, int) { return std::array<uint8_t, 3>{r, g, b}; });
}

// Every patch differs (a solid colour gives identical image tokens, which no attention mask can tell apart).
inline void writeGradientBmp(const std::string& path, int side)
{
    writeBmpOf(path, side, [side](int x, int y) {
        return std::array<uint8_t, 3>{static_cast<uint8_t>(x * 255 / side), static_cast<uint8_t>(y * 255 / side),
                                      static_cast<uint8_t>((x * y) % 256)};
    });
}

// Four good samples in root/data.jsonl (two with an image and a placeholder, one with an image and
// none, one text-only); images red/blue/green.bmp beside it. Returns the JSONL path.
inline std::string writeTrainingDataSet(const std::string& root)
{
    writeBmp(root + "/red.bmp", 40, 230, 20, 20);
    writeBmp(root + "/blue.bmp", 40, 20, 20, 230);
    writeBmp(root + "/green.bmp", 40, 20, 230, 20);
    const std::string path = root + "/data.jsonl";
    std::ofstream out(path);
    out << R"({"id":"1","frames":["red.bmp"],"conversations":[{"from":"human","value":"<image>Colour?"},{"from":"gpt","value":"red"}]})" << "\n"
        << R"({"id":"2","frames":["blue.bmp"],"conversations":[{"from":"human","value":"<image>Colour?"},{"from":"gpt","value":"blue"}]})" << "\n"
        << R"({"id":"3","frames":["green.bmp"],"conversations":[{"from":"human","value":"Colour?"},{"from":"gpt","value":"green"}]})" << "\n"
        << R"({"id":"4","conversations":[{"from":"human","value":"Say hi"},{"from":"gpt","value":"hi there"}]})" << "\n";
    return path;
}

} // namespace vora::testing
