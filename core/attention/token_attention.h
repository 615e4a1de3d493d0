#pragma once
// What the attention visualizer shows for one generated token: its attention probabilities over
// every image's patch grid, at the detail asked for. Plain data, no torch; shared by the recorder
// (core/runtime/attention_recorder.h), the aggregations (attention_aggregation.h), the CLI's JSON
// and the app.
#include <cstdint>
#include <vector>

namespace vora::core {

struct ImageSpan {
    int64_t start = 0; // first position of the image's tokens in the expanded sequence
    int gridHeight = 0;
    int gridWidth = 0;
    int64_t patches() const { return int64_t(gridHeight) * gridWidth; }
};

// How much a recorder keeps per token (memory grows layers x heads times from Mean to Heads).
enum class AttentionDetail {
    Mean,   // perImage only: mean over the recorded layers and all heads
    Layers, // + layers[l][j]: layer l's mean over heads
    Heads,  // + heads[l][h][j]: every head of every recorded layer
};

using PatchGrid = std::vector<float>;       // [gridHeight * gridWidth], raster order (row by row)
using ImageGrids = std::vector<PatchGrid>;  // one grid per image, in prompt order

struct TokenAttention {
    int64_t queryPosition = 0; // the position whose row predicted this token
    float imageShare = 0;      // attention mass on all image patches, mean over layers and heads
    ImageGrids perImage;       // mean over the recorded layers and all heads
    std::vector<ImageGrids> layers;             // [layer][image], detail Layers or Heads
    std::vector<std::vector<ImageGrids>> heads; // [layer][head][image], detail Heads
};

} // namespace vora::core
