#pragma once
// What a generation starts from: token ids with image sentinels, and one pixel tensor per sentinel
// in order. Plain C++ (no torch), so the app and CLI can build it without torch headers.
#include <cstdint>
#include <vector>

namespace vora::core {

constexpr int64_t kImageTokenSentinel = -200;

struct ImagePixels {
    int height = 0;
    int width = 0;
    std::vector<float> chw; // [3, height, width] normalised float32

    bool operator==(const ImagePixels&) const = default;
};

struct PromptInput {
    std::vector<int64_t> ids;        // kImageTokenSentinel where an image goes
    std::vector<ImagePixels> images; // one per sentinel, in order

    bool operator==(const PromptInput&) const = default;
};

} // namespace vora::core
