#include "core/generation/sequence_assembly.h"

#include "core/error.h"
#include "core/model/vora_model.h"

#include <torch/torch.h>

#include <algorithm>

namespace vora::core {

std::vector<int64_t> AssembledSequence::textIds() const
{
    std::vector<int64_t> ids;
    std::copy_if(expandedIds.begin(), expandedIds.end(), std::back_inserter(ids),
                 [](int64_t id) { return id != kImageTokenSentinel; });
    return ids;
}

at::Tensor pixelsToTensor(const ImagePixels& image, c10::Device device)
{
    require(image.height > 0 && image.width > 0
                && image.chw.size() == size_t(3) * size_t(image.height) * size_t(image.width),
            ErrorCode::ShapeMismatch,
            "image pixels hold " + std::to_string(image.chw.size()) + " values, expected 3x" + std::to_string(image.height)
                + "x" + std::to_string(image.width));
    const at::Tensor view = at::from_blob(const_cast<float*>(image.chw.data()), {1, 3, image.height, image.width},
                                          at::TensorOptions().dtype(at::kFloat));
    return view.to(device, at::kFloat, false, /*copy=*/true);
}

AssembledSequence assembleSequence(const VoraModel& model, const PromptInput& prompt)
{
    const auto sentinels = std::count(prompt.ids.begin(), prompt.ids.end(), kImageTokenSentinel);
    require(static_cast<size_t>(sentinels) == prompt.images.size(), ErrorCode::InvalidArgument,
            "the prompt has " + std::to_string(sentinels) + " image placeholder(s) but " + std::to_string(prompt.images.size())
                + " image(s) were given");
    require(prompt.images.empty() || model.vision().has_value(), ErrorCode::InvalidArgument,
            "this model has no vision embedding (a text-only " + model.config().modelType + " checkpoint): it cannot take images");
    const int64_t vocab = model.config().vocabSize;
    for (int64_t id : prompt.ids) {
        require(id == kImageTokenSentinel || (id >= 0 && id < vocab), ErrorCode::InvalidArgument,
                "token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(vocab));
    }
    require(!prompt.ids.empty(), ErrorCode::InvalidArgument, "empty prompt");

    AssembledSequence sequence;
    std::vector<at::Tensor> pieces;
    const auto idOptions = at::TensorOptions().dtype(at::kLong);
    size_t imageIndex = 0;
    size_t start = 0;
    auto flushText = [&](size_t end) {
        if (end > start) {
            std::vector<int64_t> chunk(prompt.ids.begin() + static_cast<long>(start), prompt.ids.begin() + static_cast<long>(end));
            const at::Tensor ids = at::tensor(chunk, idOptions).to(model.device()).unsqueeze(0);
            pieces.push_back(model.decoder().embed(ids));
            sequence.expandedIds.insert(sequence.expandedIds.end(), chunk.begin(), chunk.end());
            sequence.isImage.insert(sequence.isImage.end(), chunk.size(), 0);
        }
    };
    for (size_t i = 0; i < prompt.ids.size(); ++i) {
        if (prompt.ids[i] != kImageTokenSentinel) {
            continue;
        }
        flushText(i);
        const at::Tensor pixels = pixelsToTensor(prompt.images[imageIndex++], model.device());
        const at::Tensor patches = model.vision()->forward(pixels).to(model.dtype()); // [1, N, D]
        pieces.push_back(patches);
        sequence.expandedIds.insert(sequence.expandedIds.end(), patches.size(1), kImageTokenSentinel);
        sequence.isImage.insert(sequence.isImage.end(), patches.size(1), 1);
        start = i + 1;
    }
    flushText(prompt.ids.size());
    sequence.embeddings = pieces.size() == 1 ? pieces.front() : at::cat(pieces, 1);
    return sequence;
}

} // namespace vora::core
