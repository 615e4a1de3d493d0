#pragma once
// Logits of a token sequence with images on the inference path (sequence assembly, the generation
// attention mask, the decoder's forward): nothing of training's collation or training_step.cpp, so
// tests can check training-side results against it.
#include "core/generation/attention_mask.h"
#include "core/generation/sequence_assembly.h"
#include "core/image/model_image.h"
#include "core/model/vora_model.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace vora::testing {

struct InferenceLogits {
    at::Tensor logits;               // [L, V] float32 over the expanded sequence
    std::vector<int64_t> imageTokens; // per image, in order
};

// ids: text ids with core::kImageTokenSentinel where each image of imagePaths goes.
inline InferenceLogits inferenceLogits(core::VoraModel& model, const std::vector<int64_t>& ids,
                                       const std::vector<std::string>& imagePaths, const core::PreprocessConfig& pre)
{
    torch::NoGradGuard noGrad;
    core::PromptInput prompt;
    prompt.ids = ids;
    InferenceLogits out;
    for (const std::string& path : imagePaths) {
        const core::PreprocessedImage image = core::loadModelImage(path, pre);
        prompt.images.push_back({image.height, image.width, image.pixels});
        out.imageTokens.push_back(int64_t(image.height / pre.patchSize) * (image.width / pre.patchSize));
    }
    const core::AssembledSequence sequence = core::assembleSequence(model, prompt);
    const core::AttentionMaskSpec mask =
        core::buildAttentionMask(sequence.isImage, 0, model.config().vision->attentionMask);
    const at::Tensor hidden = model.decoder().forward(sequence.embeddings, 0, mask, nullptr);
    out.logits = model.decoder().logits(hidden)[0].to(torch::kFloat);
    return out;
}

} // namespace vora::testing
