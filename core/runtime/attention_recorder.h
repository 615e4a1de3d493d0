#pragma once
// Records, for every generated token, the attention probabilities its query row gave each image
// patch, per recorded layer and head, and reduces them to the detail asked for (token_attention.h).
// On the fused path the probabilities come from the cached image keys and the row's log-sum-exp
// (core/attention/image_attention.h); on the explicit path they are cut from the full rows; CUDA graph
// decoding computes them inside the graph (decodeCapture()). Results stay on the model's device until
// tokens() is called: decode never waits for a copy.
// No torch in this header. Used on the generating thread; read the results after generate() returns.
#include "core/attention/token_attention.h"

#include <memory>
#include <vector>

namespace vora::core {

class AttentionObserver;
class VoraModel;
struct DecodeAttentionCapture;
struct GenerationHooks;
struct PromptInput;

class AttentionRecorder {
public:
    // layers: decoder layers to record (ascending); empty means all layers.
    explicit AttentionRecorder(std::vector<int> layers = {}, AttentionDetail detail = AttentionDetail::Mean);
    ~AttentionRecorder();

    // Called before generation: the prompt's image spans (every image's patch positions) and length.
    void begin(std::vector<ImageSpan> images, int64_t promptLength);
    // begin() for model generating from prompt (its layout gives the spans and length), then hooks'
    // observer and decodeCapture set to this recorder's: what the engine does before each recorded turn.
    void begin(const VoraModel& model, const PromptInput& prompt, GenerationHooks& hooks);
    const std::vector<ImageSpan>& images() const;
    AttentionDetail detail() const;
    // The decoder layers recorded, in the order of TokenAttention::layers (known after generation).
    std::vector<int> recordedLayers() const;
    // One entry per generated token, in order.
    std::vector<TokenAttention> tokens() const;

    // Give both to the generator (GenerationHooks::observer and decodeCapture).
    AttentionObserver* observer();
    DecodeAttentionCapture* decodeCapture();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace vora::core
