#include "core/attention/colour_map.h"

#include <algorithm>
#include <cmath>

namespace vora::core {
namespace {

// Nine evenly spaced samples of each map (matplotlib's viridis and cividis at 0, 1/8, ..., 1).
constexpr std::array<std::array<int, 3>, 9> kViridis{{
    {0x44, 0x01, 0x54}, {0x47, 0x2d, 0x7b}, {0x3b, 0x52, 0x8b}, {0x2c, 0x72, 0x8e}, {0x21, 0x91, 0x8c},
    {0x28, 0xae, 0x80}, {0x5e, 0xc9, 0x62}, {0xad, 0xdc, 0x30}, {0xfd, 0xe7, 0x25},
}};
constexpr std::array<std::array<int, 3>, 9> kCividis{{
    {0x00, 0x22, 0x4e}, {0x12, 0x35, 0x70}, {0x3b, 0x49, 0x6c}, {0x57, 0x5d, 0x6d}, {0x70, 0x71, 0x73},
    {0x8a, 0x86, 0x78}, {0xa5, 0x9c, 0x74}, {0xc3, 0xb3, 0x69}, {0xfe, 0xe8, 0x38},
}};

} // namespace

std::array<uint8_t, 3> colourAt(ColourMap map, double t)
{
    const auto& anchors = map == ColourMap::Viridis ? kViridis : kCividis;
    const double position = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * double(anchors.size() - 1);
    const size_t low = std::min(size_t(position), anchors.size() - 2);
    const double f = position - double(low);
    const auto mix = [&](int c) {
        return static_cast<uint8_t>(std::lround(anchors[low][c] * (1 - f) + anchors[low + 1][c] * f));
    };
    return {mix(0), mix(1), mix(2)};
}

} // namespace vora::core
