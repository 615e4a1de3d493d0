#pragma once
// Turns a PromptInput into the embeddings the decoder consumes: text ids through embed_tokens,
// each sentinel replaced by its image's patch embeddings in raster order (docs/vora-format.md), plus the
// per-position image flags the attention mask needs and the expanded token ids (image positions
// hold kImageTokenSentinel).
#include "core/generation/prompt_input.h"

#include <ATen/core/Tensor.h>

#include <vector>

namespace vora::core {

class VoraModel;

struct AssembledSequence {
    at::Tensor embeddings;             // [1, L - embeddedFrom, D] in the model's dtype, on its device
    int64_t embeddedFrom = 0;          // positions before this one were not embedded (they are cached)
    std::vector<uint8_t> isImage;      // L flags
    std::vector<int64_t> expandedIds;  // L ids, kImageTokenSentinel on image positions
    // What each position holds, for finding the prefix a KV cache already has: the text id, or (top bit
    // set) a hash of the image's pixels combined with the patch index.
    std::vector<uint64_t> positionKeys;
    std::vector<int64_t> textIds() const;
    int64_t length() const { return static_cast<int64_t>(isImage.size()); }
};

// Throws Error(InvalidArgument) when sentinels and images disagree in number, when the model has
// no vision embedding but images are given, or when ids are outside the vocabulary. Embeds positions
// [from, L) only: images wholly before `from` skip the vision embedding. from must not fall inside an image.
AssembledSequence assembleSequence(const VoraModel& model, const PromptInput& prompt, int64_t from = 0);

// Whether a layout carries positionKeys: hashing an image's pixels (~0.2 ms per 448x448 image) is only
// needed to compare a prompt with a cache; a length or the image spans need no keys.
enum class LayoutKeys { With, Without };

// The same layout (flags, ids and, unless Without, keys) without computing any embedding.
AssembledSequence layoutSequence(const VoraModel& model, const PromptInput& prompt, LayoutKeys keys = LayoutKeys::With);

// assembleSequence(model, prompt, from) for a prompt whose layout the caller already has (layoutSequence of
// the same prompt): the layout is taken over, so the images' pixels are not hashed a second time. Throws
// Error(InvalidArgument) when the layout is not the prompt's: another length, another text id, or text where
// the prompt has an image.
AssembledSequence embedSequence(const VoraModel& model, const PromptInput& prompt, const AssembledSequence& layout,
                                int64_t from);

// Pixels -> [1, 3, H, W] float32 tensor on device.
at::Tensor pixelsToTensor(const ImagePixels& image, c10::Device device);

} // namespace vora::core
