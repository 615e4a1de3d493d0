#pragma once
// One entry point for "an image the model will see": an image file (decoded with OpenCV and
// preprocessed) or a pixel file written by `vora preprocess` (safetensors "pixel_values" float32
// [1, 3, H, W]), which is how machines without OpenCV (GPU servers) take images.
#include "core/image/image_preprocessor.h"

#include <string>

namespace vora::core {

bool isPixelFile(const std::string& path);
// Throws Error naming the file (missing, corrupt, wrong shape, no OpenCV for an image file).
PreprocessedImage loadModelImage(const std::string& path, const PreprocessConfig& config);

} // namespace vora::core
