#pragma once
// Where each image's patch tokens sit in an assembled sequence. Plain C++, no torch.
#include "core/attention/token_attention.h"
#include "core/generation/prompt_input.h"

#include <cstdint>
#include <vector>

namespace vora::core {

// isImage: per position of the expanded sequence; images: the prompt's pixels, in order. Adjacent
// images form ONE run of image positions, so runs are cut by each image's patch count.
// Throws InvalidArgument when the image positions do not fit the images' grids.
std::vector<ImageSpan> imageSpans(const std::vector<uint8_t>& isImage, const std::vector<ImagePixels>& images,
                                  int patchSize);

} // namespace vora::core
