#pragma once
// Collation: samples -> one right-padded batch with the VoRA attention mask. Padding sits after each
// sample's last token and only attends causally, so real tokens never see it and its labels are -100.
#include "core/image/image_preprocessor.h"
#include "core/model/decoder_layer.h"
#include "core/model/model_config.h"
#include "training/sample_builder.h"

#include <ATen/core/Tensor.h>

#include <vector>

namespace vora::training {

struct Batch {
    at::Tensor ids;     // [B, L] int64; image positions and padding hold 0 (their embeddings are replaced / unused)
    at::Tensor labels;  // [B, L] int64, kIgnoreLabel where not supervised
    at::Tensor isImage; // [B, L] bool
    at::Tensor pixels;  // [nImg, 3, H, W] float32 in sample order, or undefined
    core::AttentionMaskSpec mask;
    int64_t samples = 0;
    int64_t tokens = 0;     // non-padding positions
    int64_t supervised = 0; // labels != -100 after the shift
};

struct CollateOptions {
    core::PreprocessConfig preprocess;
    core::VisionAttentionMask maskMode = core::VisionAttentionMask::Bidirectional;
    c10::Device device = c10::Device(c10::kCPU);
};

// Decodes and preprocesses each image (throws core::Error naming the file on failure).
Batch collateBatch(const std::vector<const TrainingSample*>& samples, const CollateOptions& options);
// Same, with pixels given (one [3,H,W] float32 tensor per sentinel, in order) - for tests and references.
Batch collateWithPixels(const std::vector<const TrainingSample*>& samples, const std::vector<at::Tensor>& pixels,
                        int patchSize, core::VisionAttentionMask maskMode, c10::Device device);

} // namespace vora::training
