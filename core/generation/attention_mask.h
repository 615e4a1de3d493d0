#pragma once
// The VoRA attention mask (docs/vora-format.md, "The attention mask"): causal, except that every maximal run of consecutive
// image tokens attends bidirectionally within itself ("bidirectional" mode); "default" mode is
// plain causal. Text after an image sees the whole image; decoding is causal.
#include "core/model/attention.h"
#include "core/model/model_config.h"

#include <vector>

namespace vora::core {

// The mode a model's prompts use: its vision config's, plain causal for a text-only model.
VisionAttentionMask attentionMaskModeOf(const ModelConfig& config);

// isImage: flags of the whole sequence so far, the new chunk last (positions [0, past + L)).
// Returns segments for the chunk's L queries over past + L keys: each text run causal, each image run
// non-causal over the keys up to its end; plain causal mode gives one causal segment. No mask tensor.
// Throws Error(InvalidArgument) when the chunk starts inside an image run (an image is prefilled whole).
AttentionMaskSpec buildAttentionMask(const std::vector<uint8_t>& isImage, int64_t past, VisionAttentionMask mode);

// The allowed matrix itself (bool [L, past + L]) for training batches, the explicit path and tests.
at::Tensor allowedMatrix(const std::vector<uint8_t>& isImage, int64_t past, VisionAttentionMask mode);

} // namespace vora::core
