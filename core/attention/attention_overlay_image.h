#pragma once
// Attention overlays as plain RGB8 pictures, for places without Qt (the `vora attention` CLI): one
// grid drawn over the ORIGINAL image, each patch's rectangle in original pixels
// (ImageGeometry::patchRectInOriginal: the padding preprocessing added removed, aspect kept) filled
// with the colour map's colour for value / maximum, blended at the given opacity; and a contact sheet
// of several overlays. The app draws the same overlay with Qt (app/attention/attention_overlay.h) from
// the same geometry and colour map. Plain C++; pure functions.
#include "core/attention/colour_map.h"
#include "core/attention/token_attention.h"
#include "core/image/decoded_image.h"
#include "core/image/image_preprocessor.h"

#include <vector>

namespace vora::core {

struct OverlayOptions {
    ColourMap colours = ColourMap::Viridis;
    double opacity = 0.6; // 0: only the image, 1: only the map
    float maximum = 0;    // the value drawn at the top of the map; 0: the grid's own maximum
};

// original: the decoded image file (geometry.originalWidth x originalHeight); grid: raster order,
// geometry.gridHeight x gridWidth values. A pixel belongs to the patch whose rectangle holds its centre.
// Throws InvalidArgument when sizes disagree.
DecodedImage renderAttentionOverlay(const DecodedImage& original, const ImageGeometry& geometry, const PatchGrid& grid,
                                    const OverlayOptions& options = {});

// The pictures in rows of `columns`, each scaled (nearest pixel) to tileWidth wide, aspect kept, on a
// white background with a 4-pixel gap.
DecodedImage contactSheet(const std::vector<DecodedImage>& tiles, int columns, int tileWidth);

} // namespace vora::core
