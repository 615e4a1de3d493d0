#include "core/attention/token_attention_rows.h"

#include "core/error.h"

#include <torch/torch.h>

namespace vora::core {

ImageGrids splitByImage(const at::Tensor& values, const std::vector<ImageSpan>& images)
{
    const at::Tensor flat = values.to(at::kCPU, at::kFloat).contiguous();
    int64_t patches = 0;
    for (const ImageSpan& image : images) {
        patches += image.patches();
    }
    require(flat.dim() == 1 && flat.size(0) == patches, ErrorCode::Internal,
            "attention grids: " + std::to_string(flat.numel()) + " values for " + std::to_string(patches) + " patches");
    ImageGrids grids;
    const float* data = flat.data_ptr<float>();
    for (const ImageSpan& image : images) {
        grids.emplace_back(data, data + image.patches());
        data += image.patches();
    }
    return grids;
}

TokenAttention tokenAttentionOf(const at::Tensor& rows, int64_t queryPosition, const std::vector<ImageSpan>& images,
                                AttentionDetail detail)
{
    const at::Tensor all = rows.to(at::kCPU, at::kFloat).contiguous(); // [layers, H or 1, N]
    const at::Tensor mean = all.mean(at::IntArrayRef{0, 1});
    TokenAttention token;
    token.queryPosition = queryPosition;
    token.imageShare = static_cast<float>(mean.sum().item<double>());
    token.perImage = splitByImage(mean, images);
    if (detail != AttentionDetail::Mean) {
        const at::Tensor layerMeans = all.mean(1);
        for (int64_t l = 0; l < all.size(0); ++l) {
            token.layers.push_back(splitByImage(layerMeans[l], images));
        }
    }
    if (detail == AttentionDetail::Heads) {
        for (int64_t l = 0; l < all.size(0); ++l) {
            std::vector<ImageGrids> perHead;
            for (int64_t h = 0; h < all.size(1); ++h) {
                perHead.push_back(splitByImage(all[l][h], images));
            }
            token.heads.push_back(std::move(perHead));
        }
    }
    return token;
}

} // namespace vora::core
