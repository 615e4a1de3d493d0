#pragma once
// The VoRA attention mask (docs/vora-format.md, "The attention mask"): causal, except that every maximal run of consecutive
// image tokens attends bidirectionally within itself ("bidirectional" mode); "default" mode is
// plain causal. Text after an image sees the whole image; decoding is causal.
#include "core/model/decoder_layer.h"
#include "core/model/model_config.h"

#include <vector>

namespace vora::core {

// isImage: flags of the whole sequence so far, the new chunk last (positions [0, past + L)).
// Returns the spec for the new chunk's L queries over past + L keys: an explicit bool mask when an
// image run needs bidirectional attention, otherwise plain causal (the fused path then uses
// is_causal, the fastest kernel).
AttentionMaskSpec buildAttentionMask(const std::vector<uint8_t>& isImage, int64_t past, VisionAttentionMask mode,
                                     c10::Device device);

// The allowed matrix itself (bool [L, past + L]) for tests and the explicit path.
at::Tensor allowedMatrix(const std::vector<uint8_t>& isImage, int64_t past, VisionAttentionMask mode);

} // namespace vora::core
