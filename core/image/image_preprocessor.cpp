#include "core/image/image_preprocessor.h"

#include "core/error.h"
#include "core/image/pil_resample.h"

#include <algorithm>
#include <cmath>

namespace vora::core {
namespace {

// The reference's smart_resize (factor = patch), in the same float64 operations: Python's round() rounds
// half to even, which nearbyint does in the default rounding mode (35 px -> 28, not 42).
void nativeSize(int width, int height, const PreprocessConfig& c, int& outWidth, int& outHeight)
{
    const double f = c.patchSize;
    const std::string size = std::to_string(width) + "x" + std::to_string(height);
    require(width >= c.patchSize && height >= c.patchSize, ErrorCode::InvalidArgument,
            "image of " + size + " pixels: native resolution needs both sides of at least one "
                + std::to_string(c.patchSize) + "-pixel patch");
    require(static_cast<double>(std::max(width, height)) / std::min(width, height) <= 200.0, ErrorCode::InvalidArgument,
            "image of " + size + " pixels: native resolution needs an aspect ratio of at most 200");
    const double area = static_cast<double>(height) * width;
    double h = std::nearbyint(height / f) * f;
    double w = std::nearbyint(width / f) * f;
    if (h * w > static_cast<double>(c.maxPixels)) {
        const double beta = std::sqrt(area / static_cast<double>(c.maxPixels));
        h = std::floor(height / beta / f) * f;
        w = std::floor(width / beta / f) * f;
    } else if (h * w < static_cast<double>(c.minPixels)) {
        const double beta = std::sqrt(static_cast<double>(c.minPixels) / area);
        h = std::ceil(height * beta / f) * f;
        w = std::ceil(width * beta / f) * f;
    }
    require(h > 0 && w > 0, ErrorCode::InvalidArgument,
            "image of " + size + " pixels: too elongated for max_pixels " + std::to_string(c.maxPixels)
                + " (a side would shrink below one patch)");
    outWidth = static_cast<int>(w);
    outHeight = static_cast<int>(h);
}

// HF's rescale (float64 product cast to float32) then normalise in float32, tabulated per byte value.
std::array<std::array<float, 256>, 3> normalisationTable(const PreprocessConfig& c)
{
    std::array<std::array<float, 256>, 3> table{};
    for (int ch = 0; ch < 3; ++ch) {
        for (int v = 0; v < 256; ++v) {
            const float rescaled = static_cast<float>(v * c.rescaleFactor);
            table[ch][v] = (rescaled - c.mean[ch]) / c.std[ch];
        }
    }
    return table;
}

} // namespace

void PreprocessConfig::validate() const
{
    require(imageSize > 0 && patchSize > 0 && imageSize % patchSize == 0, ErrorCode::InvalidConfig,
            "image_size " + std::to_string(imageSize) + " must be a positive multiple of patch_size " +
                std::to_string(patchSize));
    require(std[0] != 0.0f && std[1] != 0.0f && std[2] != 0.0f, ErrorCode::InvalidConfig, "image_std has a zero");
    require(minPixels > 0 && maxPixels >= minPixels && maxPixels >= int64_t(patchSize) * patchSize,
            ErrorCode::InvalidConfig, "min_pixels/max_pixels must be positive, ordered and hold one patch");
}

ImageGeometry computeImageGeometry(int width, int height, const PreprocessConfig& config)
{
    require(width > 0 && height > 0, ErrorCode::InvalidArgument,
            "image of " + std::to_string(width) + "x" + std::to_string(height) + " pixels has no area");
    config.validate();
    ImageGeometry g;
    g.originalWidth = width;
    g.originalHeight = height;
    g.patchSize = config.patchSize;
    if (config.mode == PreprocessConfig::Mode::NativeResolution) {
        nativeSize(width, height, config, g.resizedWidth, g.resizedHeight);
        g.scale = static_cast<double>(g.resizedWidth) / width;
    } else {
        g.resizedWidth = g.resizedHeight = config.imageSize;
        if (config.padToSquare) {
            g.paddedSide = std::max(width, height);
            g.padLeft = (g.paddedSide - width) / 2;
            g.padTop = (g.paddedSide - height) / 2;
            g.scale = static_cast<double>(config.imageSize) / g.paddedSide;
        } else {
            g.scale = static_cast<double>(config.imageSize) / width;
        }
    }
    g.gridWidth = g.resizedWidth / g.patchSize;
    g.gridHeight = g.resizedHeight / g.patchSize;
    return g;
}

ImageGeometry::Rect ImageGeometry::patchRectInOriginal(int row, int col) const
{
    require(row >= 0 && row < gridHeight && col >= 0 && col < gridWidth, ErrorCode::InvalidArgument,
            "patch (" + std::to_string(row) + ", " + std::to_string(col) + ") is outside the " +
                std::to_string(gridHeight) + "x" + std::to_string(gridWidth) + " grid");
    const double canvasWidth = paddedSide > 0 ? paddedSide : originalWidth;
    const double canvasHeight = paddedSide > 0 ? paddedSide : originalHeight;
    const double sx = resizedWidth / canvasWidth;
    const double sy = resizedHeight / canvasHeight;
    const double x0 = std::clamp(col * patchSize / sx - padLeft, 0.0, double(originalWidth));
    const double x1 = std::clamp((col + 1) * patchSize / sx - padLeft, 0.0, double(originalWidth));
    const double y0 = std::clamp(row * patchSize / sy - padTop, 0.0, double(originalHeight));
    const double y1 = std::clamp((row + 1) * patchSize / sy - padTop, 0.0, double(originalHeight));
    if (x1 <= x0 || y1 <= y0) {
        return {x0, y0, 0.0, 0.0};
    }
    return {x0, y0, x1 - x0, y1 - y0};
}

PreprocessedImage preprocessImage(const DecodedImage& image, const PreprocessConfig& config)
{
    require(image.rgb.size() == static_cast<size_t>(std::max(image.width, 0)) * std::max(image.height, 0) * 3,
            ErrorCode::InvalidArgument, "decoded image buffer does not match its size");
    PreprocessedImage out;
    out.geometry = computeImageGeometry(image.width, image.height, config);
    const ImageGeometry& g = out.geometry;
    const int canvasWidth = g.paddedSide > 0 ? g.paddedSide : image.width;
    const int canvasHeight = g.paddedSide > 0 ? g.paddedSide : image.height;
    const std::vector<uint8_t> resized = resampleBicubicLikePil(image, canvasWidth, canvasHeight, g.padLeft, g.padTop,
                                                                g.resizedWidth, g.resizedHeight);
    out.width = g.resizedWidth;
    out.height = g.resizedHeight;
    const size_t plane = static_cast<size_t>(out.width) * out.height;
    out.pixels.resize(plane * 3);
    const auto table = normalisationTable(config);
    for (size_t i = 0; i < plane; ++i) {
        out.pixels[i] = table[0][resized[3 * i]];
        out.pixels[plane + i] = table[1][resized[3 * i + 1]];
        out.pixels[2 * plane + i] = table[2][resized[3 * i + 2]];
    }
    return out;
}

} // namespace vora::core
