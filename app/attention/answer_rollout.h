#pragma once
// Rollout for an answer in the app (docs/attention-maps.md, "Rollout in the app"): what the re-prefill
// needs (RolloutSource: the answer's exact prompt and generated ids, kept in memory with the answer and
// never stored) and what comes back (AnswerRollout: one rolled-out row per generated token, cut to the
// image columns). Computed on the inference worker by ChatBackend::rollout through core's
// reprefillAttention; plain values, safe to pass between threads. ui/ sees core::PromptInput only as a
// forward declaration.
#include "app/attention/answer_attention.h"

#include <QMetaType>
#include <QString>

#include <memory>
#include <vector>

namespace vora::core {
struct PromptInput;
}

namespace vora::app {

struct RolloutSource {
    QString modelPath; // the model folder that wrote the answer
    std::shared_ptr<const core::PromptInput> prompt; // ids with image sentinels and the images' pixels
    std::vector<qint64> answerIds;                   // the generated tokens, in order
    int firstLayer = 0, lastLayer = 0;               // decoder layers rolled out (inclusive)
    bool visionLayers = false; // that default range is the model's vision-LoRA layers (else every layer)
    int layers = 0;            // the model's decoder layers: any range within them can be asked for
};

struct AnswerRollout {
    int firstLayer = 0, lastLayer = 0;
    // [token] -> every image's grid concatenated in image order (AnswerAttention::patchOffset), float32.
    std::vector<std::vector<float>> tokens;
};

// The default range rolled out for a model with `layers` decoder layers of which the first `loraLayers`
// carry VoRA's vision LoRA: those when there are some, else every layer.
RolloutSource rolloutLayersFor(RolloutSource source, int loraLayers, int layers);

// Image image's grid of token token ([gridHeight * gridWidth], raster order); throws
// std::invalid_argument when the rollout does not match the answer's images or tokens.
std::vector<float> rolloutGrid(const AnswerRollout& rollout, const AnswerAttention& attention, int token, int image);
// The largest value of image's grids over every token (the "across the answer" scale); 0 when all are 0.
float rolloutMaximum(const AnswerRollout& rollout, const AnswerAttention& attention, int image);

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::RolloutSource)
Q_DECLARE_METATYPE(vora::app::AnswerRollout)
