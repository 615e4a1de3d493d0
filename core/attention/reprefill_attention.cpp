#include "core/attention/reprefill_attention.h"

#include "core/attention/attention_rollout.h"
#include "core/attention/image_spans.h"
#include "core/attention/token_attention_rows.h"
#include "core/error.h"
#include "core/generation/attention_mask.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/attention_observer.h"
#include "core/model/vora_model.h"

#include <torch/torch.h>

#include <string>

namespace vora::core {
namespace {

// Folds each layer of the range into the rollout and keeps the requested rows' image columns.
struct ReprefillObserver : AttentionObserver {
    LayerRange layers;
    std::vector<int64_t> positions;
    at::Tensor imageColumns;                    // [N] int64: every image position, images in order
    at::Tensor rolled;                          // [L, L] float32
    std::vector<std::vector<at::Tensor>> rows;  // [position][layer] -> [H, N]

    bool wantsLayer(int) const override { return true; }

    void onAttention(int layer, const at::Tensor& probabilities, int64_t queryStart) override
    {
        require(queryStart == 0 && probabilities.size(2) == probabilities.size(3), ErrorCode::Internal,
                "re-prefill: the explicit pass must cover the whole sequence at once");
        const at::Tensor perHead = probabilities[0]; // [H, L, L]
        if (layer >= layers.first && layer <= layers.last) {
            rolled = rollOneLayer(rolled, perHead.mean(0));
        }
        for (size_t i = 0; i < positions.size(); ++i) {
            rows[i].push_back(perHead.select(1, positions[i]).index_select(1, imageColumns)); // [H, N]
        }
    }
};

void validate(const VoraModel& model, const ReprefillRequest& request, int64_t promptLength, LayerRange layers)
{
    require(model.config().isVora(), ErrorCode::InvalidArgument,
            "attention over images needs a VoRA model; " + model.directory() + " is text-only");
    require(!request.prompt.images.empty(), ErrorCode::InvalidArgument, "attention over images needs at least one image");
    for (const int64_t position : request.promptPositions) {
        require(position >= 0 && position < promptLength, ErrorCode::InvalidArgument,
                "prompt position " + std::to_string(position) + " is outside the prompt's " + std::to_string(promptLength)
                    + " positions");
    }
    const int count = model.config().numLayers;
    require(layers.first >= 0 && layers.first <= layers.last && layers.last < count, ErrorCode::InvalidArgument,
            "rollout layers " + std::to_string(layers.first) + "-" + std::to_string(layers.last)
                + " are outside the model's layers 0-" + std::to_string(count - 1));
}

} // namespace

ReprefillAttention reprefillAttention(const VoraModel& model, const ReprefillRequest& request)
{
    const c10::InferenceMode inference;
    LayerRange layers = request.rolloutLayers;
    if (layers.last < 0) {
        layers.last = model.config().numLayers - 1;
    }
    // The last answer token predicted nothing, so the sequence ends one short of it.
    PromptInput input = request.prompt;
    const int64_t promptLength = layoutSequence(model, input, LayoutKeys::Without).length();
    validate(model, request, promptLength, layers);
    if (!request.answerIds.empty()) {
        input.ids.insert(input.ids.end(), request.answerIds.begin(), request.answerIds.end() - 1);
    }
    const AssembledSequence sequence = assembleSequence(model, input);

    ReprefillAttention out;
    out.images = imageSpans(sequence.isImage, input.images, model.config().vision->patchSize);
    out.promptLength = promptLength;
    out.rolloutLayers = layers;

    ReprefillObserver observer;
    observer.layers = layers;
    observer.positions = request.promptPositions;
    observer.rows.resize(request.promptPositions.size());
    std::vector<int64_t> columns;
    for (const ImageSpan& image : out.images) {
        for (int64_t p = image.start; p < image.start + image.patches(); ++p) {
            columns.push_back(p);
        }
    }
    observer.imageColumns = at::tensor(columns, at::kLong).to(model.device());

    ForwardOptions options;
    options.impl = AttentionImpl::Explicit;
    options.observer = &observer;
    const auto& vision = model.config().vision;
    const AttentionMaskSpec mask = buildAttentionMask(sequence.isImage, 0, vision->attentionMask);
    model.decoder().forward(sequence.embeddings, 0, mask, nullptr, options);

    const at::Tensor rolledImages = observer.rolled.index_select(1, observer.imageColumns).cpu(); // [L, N]
    for (size_t t = 0; t < request.answerIds.size(); ++t) {
        out.answerRollout.push_back(splitByImage(rolledImages[promptLength - 1 + int64_t(t)], out.images));
    }
    for (size_t i = 0; i < request.promptPositions.size(); ++i) {
        const int64_t position = request.promptPositions[i];
        out.promptPositionRollout.push_back(splitByImage(rolledImages[position], out.images));
        out.promptPositions.push_back(
            tokenAttentionOf(at::stack(observer.rows[i]), position, out.images, AttentionDetail::Heads));
    }
    return out;
}

} // namespace vora::core
