#include "app/attention/attention_overlay.h"

#include "core/attention/colour_map.h"

#include <QPainter>

#include <algorithm>
#include <stdexcept>

namespace vora::app {

QColor colourAt(ColourMap map, double t)
{
    const auto rgb = core::colourAt(map == ColourMap::Viridis ? core::ColourMap::Viridis : core::ColourMap::Cividis, t);
    return QColor(rgb[0], rgb[1], rgb[2]);
}

QImage renderAttentionOverlay(const QImage& original, const AttentionImage& image, const std::vector<float>& grid,
                              const OverlayStyle& style)
{
    if (int(grid.size()) != image.patches()) {
        throw std::invalid_argument("attention overlay: a grid of " + std::to_string(grid.size()) + " values for " +
                                    std::to_string(image.patches()) + " patches");
    }
    const QSize size(image.originalWidth, image.originalHeight);
    QImage out = original.size() == size ? original.convertToFormat(QImage::Format_ARGB32)
                                         : original.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                                               .convertToFormat(QImage::Format_ARGB32);
    const float maximum = style.maximum > 0 ? style.maximum : *std::max_element(grid.begin(), grid.end());
    QPainter painter(&out);
    painter.setPen(Qt::NoPen);
    painter.setOpacity(std::clamp(style.opacity, 0.0, 1.0));
    for (int row = 0; row < image.gridHeight; ++row) {
        for (int col = 0; col < image.gridWidth; ++col) {
            const QRectF rect = image.patchRectInOriginal(row, col);
            if (rect.isEmpty()) {
                continue; // a patch on padding
            }
            const float value = grid[size_t(row * image.gridWidth + col)];
            painter.fillRect(rect, colourAt(style.colours, maximum > 0 ? value / maximum : 0.0));
        }
    }
    return out;
}

QImage colourBar(ColourMap map, int width, int height)
{
    QImage bar(std::max(width, 2), std::max(height, 1), QImage::Format_RGB32);
    for (int x = 0; x < bar.width(); ++x) {
        const QRgb colour = colourAt(map, double(x) / (bar.width() - 1)).rgb();
        for (int y = 0; y < bar.height(); ++y) {
            bar.setPixel(x, y, colour);
        }
    }
    return bar;
}

} // namespace vora::app
