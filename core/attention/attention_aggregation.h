#pragma once
// Ways to look at recorded attention (token_attention.h): over a layer range, per head (mean, max,
// per KV group), sink patches hidden, the share each image gets. Pure functions over plain data, no
// torch; the CLI and the app's viewer share them. Layer arguments index TokenAttention::layers /
// heads (the recorded layers in order), not decoder layer numbers. Bad indices and missing detail
// throw InvalidArgument naming what is missing.
#include "core/attention/token_attention.h"

#include <vector>

namespace vora::core {

enum class HeadReduction { Mean, Max };

// Mean over the recorded layers [firstLayer, lastLayer] (inclusive) of one image's grid; needs detail
// Layers or Heads.
PatchGrid meanOverLayers(const TokenAttention& token, int image, int firstLayer, int lastLayer);

// One layer's grid with the heads combined; needs detail Heads.
PatchGrid reduceHeads(const TokenAttention& token, int layer, int image, HeadReduction reduction);

// One grid per KV head: the mean of the query heads that share it (grouped-query attention; query
// head h reads KV head h / (heads / kvHeads), as HF's repeat_kv lays them out). Needs detail Heads.
std::vector<PatchGrid> meanPerKvGroup(const TokenAttention& token, int layer, int image, int kvHeads);

// Patches that soak up attention everywhere ("attention sinks"): those whose share of the image's
// attention, averaged over the tokens, exceeds factor x the uniform share (1 / patches) in EVERY
// recorded layer. Raster indices, ascending. Needs detail Layers or Heads.
std::vector<int> sinkPatches(const std::vector<TokenAttention>& tokens, int image, double factor = 5.0);

// The grid with the given patches set to 0 (the display then scales over the rest).
PatchGrid hidePatches(PatchGrid grid, const std::vector<int>& patches);

// Attention mass on each image (mean over recorded layers and heads); 1 - their sum went to text.
std::vector<float> imageShares(const TokenAttention& token);

} // namespace vora::core
