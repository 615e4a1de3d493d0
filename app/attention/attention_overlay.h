#pragma once
// Draws one attention grid over the ORIGINAL image: each patch's rectangle in original pixels (the
// padding preprocessing added removed, AttentionImage::patchRectInOriginal) filled with the colour
// map's colour for value / maximum, blended at the given opacity. Colour-blind safe maps (viridis
// default, cividis) from core/attention/colour_map.h, which the CLI's PNG overlays use too. QtGui only:
// the viewer, the exports and the tests share it.
#include "app/attention/answer_attention.h"

#include <QColor>
#include <QImage>

#include <vector>

namespace vora::app {

enum class ColourMap { Viridis, Cividis };

// t in [0, 1] (clamped) -> the map's colour, linear between its anchors.
QColor colourAt(ColourMap map, double t);

struct OverlayStyle {
    ColourMap colours = ColourMap::Viridis;
    double opacity = 0.6; // 0: only the image, 1: only the map
    float maximum = 0;    // the value drawn at the top of the map; 0: the grid's own maximum
};

// original: the image as the user sees it (any size; scaled to image.originalWidth x originalHeight
// when it differs). grid: [gridHeight * gridWidth] raster order.
QImage renderAttentionOverlay(const QImage& original, const AttentionImage& image, const std::vector<float>& grid,
                              const OverlayStyle& style);

// A horizontal bar of the map from 0 to 1 (the legend).
QImage colourBar(ColourMap map, int width, int height);

} // namespace vora::app
