#pragma once
// The colour maps attention overlays are drawn with: colour-blind safe, viridis (the default) and
// cividis, from their published anchor colours. One home for them: the app's Qt overlay
// (app/attention/attention_overlay.h) and the CLI's PNG overlays (attention_overlay_image.h) both
// read them. Plain C++.
#include <array>
#include <cstdint>

namespace vora::core {

enum class ColourMap { Viridis, Cividis };

// t in [0, 1] (clamped; NaN reads as 0) -> RGB, linear between the map's anchors.
std::array<uint8_t, 3> colourAt(ColourMap map, double t);

} // namespace vora::core
