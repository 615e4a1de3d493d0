#pragma once
// The grids `vora attention` draws, per generated token and image, for each aggregate: mean (over the
// layer range and heads), max (heads combined by max, then the mean over the layer range) from the
// decode-time capture, and rollout from the explicit re-prefill. Pure functions over core's plain types.
#include "core/attention/reprefill_attention.h"
#include "core/attention/token_attention.h"

#include <optional>
#include <string>
#include <vector>

namespace vora::cli {

enum class Aggregate { Mean, Max, Rollout };

Aggregate parseAggregate(const std::string& text); // throws UsageError

// A detail flag's value: mean, layers or heads, and "off" (nullopt) where offAllowed. Throws UsageError
// naming the flag.
std::optional<core::AttentionDetail> parseAttentionDetail(const std::string& text, const std::string& flag,
                                                          bool offAllowed);
std::string aggregateName(Aggregate aggregate);

// tokens: recorded with every layer (detail Layers, or Heads for Max); reprefill: needed for Rollout.
// Returns [token][image] grids.
std::vector<core::ImageGrids> aggregatedGrids(const std::vector<core::TokenAttention>& tokens, Aggregate aggregate,
                                              core::LayerRange layers, const core::ReprefillAttention* reprefill);

// The requested prompt position's grids (reprefill made with exactly one prompt position).
core::ImageGrids promptPositionGrids(const core::ReprefillAttention& reprefill, Aggregate aggregate,
                                     core::LayerRange layers);

} // namespace vora::cli
