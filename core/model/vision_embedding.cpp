#include "core/model/vision_embedding.h"

#include "core/error.h"

#include <torch/torch.h>

namespace vora::core {

at::Tensor VisionEmbedding::forward(const at::Tensor& pixels) const
{
    require(pixels.dim() == 4 && pixels.size(1) == 3, ErrorCode::ShapeMismatch,
            "image tensor must be [B, 3, H, W]");
    const int64_t height = pixels.size(2);
    const int64_t width = pixels.size(3);
    require(height % patchSize == 0 && width % patchSize == 0 && height > 0 && width > 0, ErrorCode::ShapeMismatch,
            "image of " + std::to_string(width) + "x" + std::to_string(height) + " is not a multiple of the "
                + std::to_string(patchSize) + "-pixel patch");
    const at::Tensor input = pixels.to(patchifier.proj_weight.scalar_type());
    at::Tensor x = at::conv2d(input, patchifier.proj_weight, patchifier.proj_bias, {patchSize, patchSize});
    x = x.flatten(2).transpose(1, 2); // [B, N, C]
    x = patchifier.norm.forward(x);

    const int64_t patches = x.size(1);
    const int64_t tableSize = pos_embed.size(1);
    if (patches <= tableSize) {
        x = x + pos_embed.narrow(1, 0, patches);
    } else {
        const int64_t channels = pos_embed.size(2);
        const at::Tensor grid = pos_embed.reshape({1, gridSide, gridSide, channels}).permute({0, 3, 1, 2});
        const at::Tensor resized = at::upsample_bilinear2d(grid, {height / patchSize, width / patchSize},
                                                           /*align_corners=*/false);
        x = x + resized.flatten(2).transpose(1, 2);
    }
    return out_proj.forward(x);
}

} // namespace vora::core
