#include "core/generation/attention_mask.h"

#include "core/error.h"

#include <torch/torch.h>

#include <algorithm>

namespace vora::core {
namespace {

// Run id per position: the index of the image run it belongs to, or -1 for text.
std::vector<int64_t> imageRuns(const std::vector<uint8_t>& isImage)
{
    std::vector<int64_t> runs(isImage.size(), -1);
    int64_t run = -1;
    for (size_t i = 0; i < isImage.size(); ++i) {
        if (isImage[i]) {
            if (i == 0 || !isImage[i - 1]) {
                ++run;
            }
            runs[i] = run;
        }
    }
    return runs;
}

} // namespace

at::Tensor allowedMatrix(const std::vector<uint8_t>& isImage, int64_t past, VisionAttentionMask mode)
{
    const auto total = static_cast<int64_t>(isImage.size());
    const int64_t length = total - past;
    require(past >= 0 && length > 0, ErrorCode::InvalidArgument, "attention mask over an empty chunk");
    at::Tensor allowed = at::ones({length, total}, at::TensorOptions().dtype(at::kBool)).tril(past);
    if (mode == VisionAttentionMask::Causal) {
        return allowed;
    }
    const std::vector<int64_t> runs = imageRuns(isImage);
    const at::Tensor runIds = at::tensor(runs, at::TensorOptions().dtype(at::kLong));
    const at::Tensor queryRuns = runIds.narrow(0, past, length).unsqueeze(1);
    const at::Tensor keyRuns = runIds.unsqueeze(0);
    const at::Tensor sameImage = (queryRuns == keyRuns) & (queryRuns >= 0);
    return allowed | sameImage;
}

VisionAttentionMask attentionMaskModeOf(const ModelConfig& config)
{
    return config.vision ? config.vision->attentionMask : VisionAttentionMask::Causal;
}

AttentionMaskSpec buildAttentionMask(const std::vector<uint8_t>& isImage, int64_t past, VisionAttentionMask mode)
{
    const auto total = static_cast<int64_t>(isImage.size());
    require(past >= 0 && past < total, ErrorCode::InvalidArgument, "attention mask over an empty chunk");
    AttentionMaskSpec spec;
    if (mode == VisionAttentionMask::Causal) {
        spec.segments.push_back({0, total - past, total, true});
        return spec;
    }
    require(past == 0 || !isImage[static_cast<size_t>(past)] || !isImage[static_cast<size_t>(past - 1)],
            ErrorCode::InvalidArgument, "an image must be prefilled in one step (its run starts before this chunk)");
    // Maximal runs of equal flags: text runs causal, image runs non-causal up to their end.
    int64_t start = past;
    for (int64_t i = past + 1; i <= total; ++i) {
        if (i == total || isImage[static_cast<size_t>(i)] != isImage[static_cast<size_t>(start)]) {
            spec.segments.push_back({start - past, i - start, i, isImage[static_cast<size_t>(start)] == 0});
            start = i;
        }
    }
    return spec;
}

} // namespace vora::core
