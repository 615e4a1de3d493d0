#include "training/batch_collator.h"

#include "core/image/model_image.h"

#include "core/chat/chat_template.h"
#include "core/error.h"
#include "core/generation/attention_mask.h"

#include <torch/torch.h>

namespace vora::training {

Batch collateWithPixels(const std::vector<const TrainingSample*>& samples, const std::vector<at::Tensor>& pixels,
                        int patchSize, core::VisionAttentionMask maskMode, c10::Device device)
{
    core::require(!samples.empty(), core::ErrorCode::InvalidArgument, "an empty batch");
    std::vector<int64_t> imageTokens;
    for (const at::Tensor& p : pixels) {
        imageTokens.push_back((p.size(1) / patchSize) * (p.size(2) / patchSize));
    }
    std::vector<std::vector<int64_t>> ids, labels;
    std::vector<std::vector<uint8_t>> flags;
    size_t image = 0;
    int64_t length = 0;
    for (const TrainingSample* s : samples) {
        std::vector<int64_t> i, l;
        std::vector<uint8_t> f;
        for (size_t k = 0; k < s->ids.size(); ++k) {
            if (s->ids[k] == core::kImageSentinelId) {
                core::require(image < pixels.size(), core::ErrorCode::InvalidArgument, "fewer images than placeholders");
                const int64_t n = imageTokens[image++];
                i.insert(i.end(), n, 0);
                l.insert(l.end(), n, kIgnoreLabel);
                f.insert(f.end(), n, 1);
            } else {
                i.push_back(s->ids[k]);
                l.push_back(s->labels[k]);
                f.push_back(0);
            }
        }
        length = std::max<int64_t>(length, static_cast<int64_t>(i.size()));
        ids.push_back(std::move(i));
        labels.push_back(std::move(l));
        flags.push_back(std::move(f));
    }
    core::require(image == pixels.size(), core::ErrorCode::InvalidArgument, "more images than placeholders");
    const int64_t b = static_cast<int64_t>(samples.size());
    Batch batch;
    batch.samples = b;
    batch.ids = torch::zeros({b, length}, torch::kLong);
    batch.labels = torch::full({b, length}, kIgnoreLabel, torch::kLong);
    batch.isImage = torch::zeros({b, length}, torch::kBool);
    bool anyImage = false;
    std::vector<at::Tensor> masks;
    for (int64_t r = 0; r < b; ++r) {
        const int64_t n = static_cast<int64_t>(ids[r].size());
        batch.tokens += n;
        batch.ids[r].narrow(0, 0, n).copy_(torch::tensor(ids[r], torch::kLong));
        batch.labels[r].narrow(0, 0, n).copy_(torch::tensor(labels[r], torch::kLong));
        std::vector<uint8_t> padded = flags[r];
        padded.resize(length, 0);
        batch.isImage[r].copy_(torch::tensor(std::vector<int64_t>(padded.begin(), padded.end())).to(torch::kBool));
        anyImage = anyImage || std::find(padded.begin(), padded.end(), 1) != padded.end();
        masks.push_back(core::allowedMatrix(padded, 0, maskMode));
    }
    batch.supervised = batch.labels.narrow(1, 1, length - 1).ne(kIgnoreLabel).sum().item<int64_t>();
    if (anyImage && maskMode == core::VisionAttentionMask::Bidirectional) {
        batch.mask.mask = torch::stack(masks).unsqueeze(1).to(device);
    }
    batch.ids = batch.ids.to(device);
    batch.labels = batch.labels.to(device);
    batch.isImage = batch.isImage.to(device);
    if (!pixels.empty()) {
        batch.pixels = torch::stack(pixels).to(device);
    }
    return batch;
}

Batch collateBatch(const std::vector<const TrainingSample*>& samples, const CollateOptions& options)
{
    std::vector<at::Tensor> pixels;
    for (const TrainingSample* s : samples) {
        for (const std::string& path : s->imagePaths) {
            const core::PreprocessedImage image = core::loadModelImage(path, options.preprocess);
            pixels.push_back(torch::from_blob(const_cast<float*>(image.pixels.data()), {3, image.height, image.width},
                                              torch::kFloat).clone());
        }
    }
    return collateWithPixels(samples, pixels, options.preprocess.patchSize, options.maskMode, options.device);
}

} // namespace vora::training
