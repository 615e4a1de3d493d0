#include "core/generation/sequence_assembly.h"

#include "core/error.h"
#include "core/model/vora_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <optional>

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
    if (device.is_cuda()) {
        // Through pinned memory, so the host does not wait for the upload (a pageable copy is staged and waited
        // for by the driver); the pinned block is not reused before the copy is done.
        return view.pin_memory().to(device, at::kFloat, /*non_blocking=*/true);
    }
    return view.to(device, at::kFloat, false, /*copy=*/true);
}

namespace {

constexpr uint64_t kImageKeyBit = uint64_t(1) << 63;

// FNV-1a over the size and the pixel bytes in four interleaved lanes (8-byte words 4j, 4j + 1, 4j + 2,
// 4j + 3 go to lanes a, b, c, d), folded at the end: identical images get identical keys. One lane is a
// chain of dependent multiplies; four halve the time of a 448 x 448 image (2.4 MB, hashed on every turn of
// a conversation that holds it: 0.45 -> 0.22 ms on the 2-core development machine, -O2).
uint64_t contentHash(const ImagePixels& image)
{
    constexpr uint64_t kPrime = 1099511628211ull;
    constexpr uint64_t kBasis = 1469598103934665603ull;
    uint64_t a = kBasis, b = kBasis ^ 1, c = kBasis ^ 2, d = kBasis ^ 3;
    a = (a ^ (static_cast<uint64_t>(image.height) << 32 | static_cast<uint32_t>(image.width))) * kPrime;
    const auto* bytes = reinterpret_cast<const unsigned char*>(image.chw.data());
    const size_t size = image.chw.size() * sizeof(float);
    size_t i = 0;
    for (; i + 32 <= size; i += 32) {
        uint64_t words[4];
        std::memcpy(words, bytes + i, sizeof(words));
        a = (a ^ words[0]) * kPrime;
        b = (b ^ words[1]) * kPrime;
        c = (c ^ words[2]) * kPrime;
        d = (d ^ words[3]) * kPrime;
    }
    for (; i < size; ++i) {
        a = (a ^ bytes[i]) * kPrime;
    }
    return (((a ^ b) * kPrime ^ c) * kPrime ^ d) * kPrime;
}

int64_t patchCount(const VoraModel& model, const ImagePixels& image)
{
    const int patch = model.vision()->patchSize;
    return int64_t(image.height / patch) * (image.width / patch);
}

void validate(const VoraModel& model, const PromptInput& prompt)
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
}

// The layout of the prompt (laidOut when the caller has it: then the image pixels are not hashed again) and,
// with embedFrom, the embeddings of positions [embedFrom, L).
AssembledSequence assemble(const VoraModel& model, const PromptInput& prompt, std::optional<int64_t> embedFrom,
                           const AssembledSequence* laidOut = nullptr, LayoutKeys keys = LayoutKeys::With)
{
    const bool withKeys = keys == LayoutKeys::With;
    validate(model, prompt);
    AssembledSequence sequence;
    if (laidOut) {
        int64_t length = 0;
        size_t image = 0;
        for (int64_t id : prompt.ids) {
            length += id == kImageTokenSentinel ? patchCount(model, prompt.images[image++]) : 1;
        }
        require(length == laidOut->length(), ErrorCode::InvalidArgument,
                "the layout given has " + std::to_string(laidOut->length()) + " positions, the prompt "
                    + std::to_string(length));
        sequence.isImage = laidOut->isImage;
        sequence.expandedIds = laidOut->expandedIds;
        sequence.positionKeys = laidOut->positionKeys;
    }
    std::vector<at::Tensor> pieces;
    const int64_t from = embedFrom.value_or(0);
    int64_t position = 0;  // the next position of the layout
    int64_t textStart = 0; // first position of the pending text run
    auto flushText = [&] {
        const int64_t start = std::max(textStart, from);
        if (embedFrom && position > start) {
            const std::vector<int64_t> chunk(sequence.expandedIds.begin() + start, sequence.expandedIds.begin() + position);
            const at::Tensor ids = at::tensor(chunk, at::TensorOptions().dtype(at::kLong)).to(model.device());
            pieces.push_back(model.decoder().embed(ids.unsqueeze(0)));
        }
    };
    size_t imageIndex = 0;
    for (int64_t id : prompt.ids) {
        if (id != kImageTokenSentinel) {
            if (!laidOut) {
                sequence.expandedIds.push_back(id);
                sequence.isImage.push_back(0);
                if (withKeys) {
                    sequence.positionKeys.push_back(static_cast<uint64_t>(id));
                }
            } else {
                require(sequence.expandedIds[static_cast<size_t>(position)] == id, ErrorCode::InvalidArgument,
                        "the layout given is another prompt's (position " + std::to_string(position) + ")");
            }
            ++position;
            continue;
        }
        flushText();
        const ImagePixels& image = prompt.images[imageIndex++];
        const int64_t start = position;
        const int64_t count = patchCount(model, image);
        if (laidOut) {
            require(std::all_of(sequence.isImage.begin() + start, sequence.isImage.begin() + start + count,
                                [](uint8_t flag) { return flag == 1; }),
                    ErrorCode::InvalidArgument,
                    "the layout given is another prompt's (an image at position " + std::to_string(start) + ")");
        } else {
            if (withKeys) {
                const uint64_t hash = contentHash(image);
                for (int64_t p = 0; p < count; ++p) {
                    sequence.positionKeys.push_back((hash + static_cast<uint64_t>(p) * 0x9E3779B97F4A7C15ull) | kImageKeyBit);
                }
            }
            sequence.expandedIds.insert(sequence.expandedIds.end(), count, kImageTokenSentinel);
            sequence.isImage.insert(sequence.isImage.end(), count, 1);
        }
        position += count;
        textStart = position;
        if (!embedFrom || start + count <= from) {
            continue;
        }
        require(start >= from, ErrorCode::InvalidArgument,
                "an image must be embedded whole (position " + std::to_string(from) + " falls inside one)");
        pieces.push_back(model.vision()->forward(pixelsToTensor(image, model.device())).to(model.dtype())); // [1, N, D]
        require(pieces.back().size(1) == count, ErrorCode::Internal, "vision embedding gave an unexpected patch count");
    }
    flushText();
    if (embedFrom) {
        require(from >= 0 && from < sequence.length(), ErrorCode::InvalidArgument,
                "nothing to embed from position " + std::to_string(from) + " of " + std::to_string(sequence.length()));
        sequence.embeddedFrom = from;
        sequence.embeddings = pieces.size() == 1 ? pieces.front() : at::cat(pieces, 1);
    }
    return sequence;
}

} // namespace

AssembledSequence assembleSequence(const VoraModel& model, const PromptInput& prompt, int64_t from)
{
    return assemble(model, prompt, from);
}

AssembledSequence layoutSequence(const VoraModel& model, const PromptInput& prompt, LayoutKeys keys)
{
    return assemble(model, prompt, std::nullopt, nullptr, keys);
}

AssembledSequence embedSequence(const VoraModel& model, const PromptInput& prompt, const AssembledSequence& layout,
                                int64_t from)
{
    return assemble(model, prompt, from, &layout);
}

} // namespace vora::core
