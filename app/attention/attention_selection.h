#pragma once
// Which grid the viewer shows for a token and an image: a layer scope (all recorded layers, a range,
// one layer), a head aggregation (mean, max, one KV group) and whether "sink" patches are hidden.
// The arithmetic is core's (core/attention/attention_aggregation.h) on the stored float16 values
// widened to float; this file only picks and combines. A selection the answer's detail cannot serve
// throws std::invalid_argument naming what is missing (supports() says beforehand).
#include "app/attention/answer_attention.h"

#include <vector>

namespace vora::app {

enum class LayerScope { All, Range, Single };
enum class HeadAggregation { Mean, Max, KvGroup };

struct AttentionSelection {
    LayerScope layers = LayerScope::All;
    int firstLayer = 0; // indices into AnswerAttention::layerNumbers (Range: inclusive; Single: firstLayer)
    int lastLayer = 0;
    HeadAggregation heads = HeadAggregation::Mean;
    int kvGroup = 0;    // with HeadAggregation::KvGroup
    bool hideSinks = false;

    bool operator==(const AttentionSelection&) const = default;
};

// The least detail a selection needs.
AttentionDetailLevel requiredDetail(const AttentionSelection& selection);
bool supports(const AnswerAttention& attention, const AttentionSelection& selection);

// Image image's grid for token token, [gridHeight * gridWidth] in raster order.
std::vector<float> selectedGrid(const AnswerAttention& attention, int token, int image, const AttentionSelection& selection);

// The largest value of the selection's grids over every token of the answer (for the "across the
// answer" normalisation); 0 when all are 0.
float answerMaximum(const AnswerAttention& attention, int image, const AttentionSelection& selection);

// Patches that soak up attention in every recorded layer (core::sinkPatches); needs detail Layers.
std::vector<int> sinkPatches(const AnswerAttention& attention, int image);

} // namespace vora::app
