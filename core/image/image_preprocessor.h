#pragma once
// Turns a decoded picture into the pixel input of a VoRA model, as the released models were
// trained: pad to a black square (image centred), PIL-exact antialiased bicubic resize to
// imageSize x imageSize, rescale 1/255, normalise with the CLIP mean/std, CHW float32.
// No torch here: the model code wraps `pixels` in a tensor. Pure functions, thread-safe.
#include "core/image/decoded_image.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vora::core {

struct PreprocessConfig {
    int imageSize = 448;
    int patchSize = 14;
    std::array<float, 3> mean{0.48145466f, 0.4578275f, 0.40821073f};
    std::array<float, 3> std{0.26862954f, 0.26130258f, 0.27577711f};
    double rescaleFactor = 1.0 / 255.0;
    bool padToSquare = true; // FixedSquare only; false stretches to the square

    // NativeResolution, as the reference's smart_resize: no padding; each side becomes
    // round(side / patch) * patch (half to even), then both are scaled by one factor (floor to a patch
    // multiple above maxPixels, ceil below minPixels). Sides under one patch and aspect ratios over 200
    // are refused, as the reference refuses them. Defaults: the reference's PILSmartResize.
    enum class Mode { FixedSquare, NativeResolution } mode = Mode::FixedSquare;
    int64_t minPixels = 56 * 56;
    int64_t maxPixels = 14 * 14 * 50 * 80;

    // Reads preprocessor_config.json (image_mean, image_std, rescale_factor, do_rescale, do_normalize,
    // size / crop_size, min_pixels, max_pixels) and config.json (image_size, patch_size) from a
    // model folder; absent files or keys keep the defaults. Throws InvalidConfig naming the file on
    // invalid JSON or values.
    static PreprocessConfig fromModelDir(const std::string& dir);

    // Throws InvalidConfig when sizes are not positive, imageSize is no patch multiple, std has a 0.
    void validate() const;
};

struct ImageGeometry {
    int originalWidth = 0, originalHeight = 0;
    int paddedSide = 0; // 0 when no padding
    int padLeft = 0, padTop = 0;
    int resizedWidth = 0, resizedHeight = 0;
    double scale = 0.0; // resized px per original px (horizontal; the two differ only without padding)
    int gridHeight = 0, gridWidth = 0, patchSize = 0;

    struct Rect {
        double x = 0, y = 0, width = 0, height = 0;
    };
    // Patch (row, col) as a rectangle in ORIGINAL image pixel coordinates, clipped to the image;
    // width and height are 0 when the patch lies on padding. Throws InvalidArgument out of the grid.
    Rect patchRectInOriginal(int row, int col) const;
    int tokenCount() const { return gridHeight * gridWidth; }
};

struct PreprocessedImage {
    int channels = 3, height = 0, width = 0;
    std::vector<float> pixels; // [channels, height, width] normalised
    ImageGeometry geometry;
};

ImageGeometry computeImageGeometry(int width, int height, const PreprocessConfig& config);
PreprocessedImage preprocessImage(const DecodedImage& image, const PreprocessConfig& config);

} // namespace vora::core
