#pragma once
// Turns captured attention tensors into the plain grids of token_attention.h. One home for the
// layout (images concatenated in prompt order, raster order within each), shared by the decode-time
// recorder (core/runtime/attention_recorder.h) and the explicit re-prefill (reprefill_attention.h).
#include "core/attention/token_attention.h"

#include <ATen/core/Tensor.h>

#include <vector>

namespace vora::core {

// values: [N] (N = all images' patches, images concatenated) -> one grid per image.
ImageGrids splitByImage(const at::Tensor& values, const std::vector<ImageSpan>& images);

// rows: [layers, H, N] (detail Heads) or [layers, 1, N] (head means), any device and float type.
// Fills perImage and imageShare (mean over layers and heads) and, at the detail asked for, layers and heads.
TokenAttention tokenAttentionOf(const at::Tensor& rows, int64_t queryPosition, const std::vector<ImageSpan>& images,
                                AttentionDetail detail);

} // namespace vora::core
