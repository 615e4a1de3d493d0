#include "app/attention/attention_overlay.h"

#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace vora::app {
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

QColor colourAt(ColourMap map, double t)
{
    const auto& anchors = map == ColourMap::Viridis ? kViridis : kCividis;
    const double position = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * double(anchors.size() - 1);
    const size_t low = std::min(size_t(position), anchors.size() - 2);
    const double f = position - double(low);
    const auto mix = [&](int c) { return int(std::lround(anchors[low][c] * (1 - f) + anchors[low + 1][c] * f)); };
    return QColor(mix(0), mix(1), mix(2));
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
