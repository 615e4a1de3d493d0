#include "app/attention/answer_rollout.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vora::app {

RolloutSource rolloutLayersFor(RolloutSource source, int loraLayers, int layers)
{
    source.visionLayers = loraLayers > 0 && loraLayers <= layers;
    source.layers = layers;
    source.firstLayer = 0;
    source.lastLayer = (source.visionLayers ? loraLayers : layers) - 1;
    return source;
}

std::vector<float> rolloutGrid(const AnswerRollout& rollout, const AnswerAttention& attention, int token, int image)
{
    if (token < 0 || size_t(token) >= rollout.tokens.size() || image < 0 || image >= attention.images.size()) {
        throw std::invalid_argument("The rollout has no token " + std::to_string(token) + " or image " + std::to_string(image) + ".");
    }
    const std::vector<float>& all = rollout.tokens[size_t(token)];
    if (all.size() != size_t(attention.totalPatches())) {
        throw std::invalid_argument("The rollout has " + std::to_string(all.size()) + " image patches per token; the answer's images have " +
                                    std::to_string(attention.totalPatches()) + ".");
    }
    const auto first = all.begin() + attention.patchOffset(image);
    return {first, first + attention.images[image].patches()};
}

float rolloutMaximum(const AnswerRollout& rollout, const AnswerAttention& attention, int image)
{
    float top = 0;
    for (size_t t = 0; t < rollout.tokens.size(); ++t) {
        const std::vector<float> grid = rolloutGrid(rollout, attention, int(t), image);
        top = std::max(top, grid.empty() ? 0.0f : *std::max_element(grid.begin(), grid.end()));
    }
    return top;
}

} // namespace vora::app
