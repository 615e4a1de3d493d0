#pragma once
// VoRA's vision embedding ("AIMv2Embedding", checkpoint prefix vision_embedding.*): a 14x14/14
// convolution to 1536 channels, RMSNorm computed in float32, a learned position table for a
// (image_size/patch)^2 grid (added as a 1-D slice when the image has at most that many patches,
// else bilinearly resized to the image's patch grid), and a projection into the LLM's width.
#include "core/model/linear.h"
#include "core/model/rms_norm.h"

#include <ATen/core/Tensor.h>

namespace vora::core {

struct PatchifierWeights {
    at::Tensor proj_weight; // [C, 3, P, P]
    at::Tensor proj_bias;   // [C]
    RmsNorm norm;           // [C]
};

struct VisionEmbedding {
    PatchifierWeights patchifier;
    at::Tensor pos_embed; // [1, grid*grid, C]
    Linear out_proj;      // [D, C], no bias
    int patchSize = 14;
    int gridSide = 32;

    // pixels: [B, 3, H, W] (H, W multiples of patchSize) -> [B, (H/P)*(W/P), D], raster order
    at::Tensor forward(const at::Tensor& pixels) const;
};

} // namespace vora::core
