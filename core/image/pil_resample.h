#pragma once
// PIL's antialiased bicubic resampling of 8-bit images (Image.resize(..., Image.BICUBIC) with no
// reducing_gap), written to give the same bytes: the a = -0.5 cubic stretched by the scale factor
// when shrinking, coefficients normalised to sum 1 and rounded to 22-bit fixed point, a horizontal
// pass rounded and clipped to uint8, then a vertical pass.
#include "core/image/decoded_image.h"

#include <cstdint>
#include <vector>

namespace vora::core {

// Resamples `image`, placed at (offsetX, offsetY) on a black canvasWidth x canvasHeight canvas, to
// outWidth x outHeight RGB8. The canvas is never materialised: padding contributes zeros, exactly
// as if PIL had resized the pasted canvas. Uses up to hardware_concurrency() threads for big inputs.
std::vector<uint8_t> resampleBicubicLikePil(const DecodedImage& image, int canvasWidth, int canvasHeight,
                                            int offsetX, int offsetY, int outWidth, int outHeight);

} // namespace vora::core
