#include "core/attention/attention_overlay_image.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace vora::core {
namespace {

constexpr int kGap = 4;

// The first pixel whose centre (i + 0.5) is at or after edge.
int firstPixelFrom(double edge) { return static_cast<int>(std::ceil(edge - 0.5)); }

} // namespace

DecodedImage renderAttentionOverlay(const DecodedImage& original, const ImageGeometry& geometry, const PatchGrid& grid,
                                    const OverlayOptions& options)
{
    require(original.width == geometry.originalWidth && original.height == geometry.originalHeight
                && original.rgb.size() == size_t(original.width) * original.height * 3,
            ErrorCode::InvalidArgument,
            "attention overlay: a " + std::to_string(original.width) + "x" + std::to_string(original.height)
                + " image for a geometry of " + std::to_string(geometry.originalWidth) + "x"
                + std::to_string(geometry.originalHeight));
    require(grid.size() == size_t(geometry.tokenCount()), ErrorCode::InvalidArgument,
            "attention overlay: a grid of " + std::to_string(grid.size()) + " values for "
                + std::to_string(geometry.tokenCount()) + " patches");
    DecodedImage out = original;
    if (grid.empty()) {
        return out;
    }
    const float maximum = options.maximum > 0 ? options.maximum : *std::max_element(grid.begin(), grid.end());
    const double alpha = std::clamp(options.opacity, 0.0, 1.0);
    for (int row = 0; row < geometry.gridHeight; ++row) {
        for (int col = 0; col < geometry.gridWidth; ++col) {
            const ImageGeometry::Rect rect = geometry.patchRectInOriginal(row, col);
            const float value = grid[size_t(row) * geometry.gridWidth + col];
            const auto colour = colourAt(options.colours, maximum > 0 ? value / maximum : 0.0);
            const int x0 = std::max(0, firstPixelFrom(rect.x));
            const int x1 = std::min(out.width, firstPixelFrom(rect.x + rect.width));
            const int y0 = std::max(0, firstPixelFrom(rect.y));
            const int y1 = std::min(out.height, firstPixelFrom(rect.y + rect.height));
            for (int y = y0; y < y1; ++y) {
                uint8_t* pixel = out.rgb.data() + (size_t(y) * out.width + x0) * 3;
                for (int x = x0; x < x1; ++x, pixel += 3) {
                    for (int c = 0; c < 3; ++c) {
                        pixel[c] = static_cast<uint8_t>(std::lround(pixel[c] * (1 - alpha) + colour[c] * alpha));
                    }
                }
            }
        }
    }
    return out;
}

DecodedImage contactSheet(const std::vector<DecodedImage>& tiles, int columns, int tileWidth)
{
    require(!tiles.empty() && columns > 0 && tileWidth > 0, ErrorCode::InvalidArgument,
            "contact sheet: needs at least one picture, columns and a tile width");
    int tileHeight = 1;
    for (const DecodedImage& tile : tiles) {
        tileHeight = std::max(tileHeight, (tile.height * tileWidth + tile.width - 1) / std::max(tile.width, 1));
    }
    const int used = std::min<int>(columns, static_cast<int>(tiles.size()));
    const int rows = (static_cast<int>(tiles.size()) + columns - 1) / columns;
    DecodedImage sheet;
    sheet.width = used * tileWidth + (used + 1) * kGap;
    sheet.height = rows * tileHeight + (rows + 1) * kGap;
    sheet.rgb.assign(size_t(sheet.width) * sheet.height * 3, 255);
    for (size_t i = 0; i < tiles.size(); ++i) {
        const DecodedImage& tile = tiles[i];
        const int left = kGap + static_cast<int>(i % size_t(columns)) * (tileWidth + kGap);
        const int top = kGap + static_cast<int>(i / size_t(columns)) * (tileHeight + kGap);
        const int height = (tile.height * tileWidth + tile.width - 1) / std::max(tile.width, 1);
        for (int y = 0; y < height; ++y) {
            const int sy = std::min(tile.height - 1, y * tile.height / height);
            for (int x = 0; x < tileWidth; ++x) {
                const int sx = std::min(tile.width - 1, x * tile.width / tileWidth);
                const uint8_t* from = tile.rgb.data() + (size_t(sy) * tile.width + sx) * 3;
                std::copy(from, from + 3, sheet.rgb.data() + (size_t(top + y) * sheet.width + left + x) * 3);
            }
        }
    }
    return sheet;
}

} // namespace vora::core
