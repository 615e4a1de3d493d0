#pragma once
// Records, for every generated token, how much attention it paid to each image patch: the
// attention row of the query that produced the token, averaged over heads and the chosen layers,
// cut into one grid per image. Feeds the attention visualizer. No torch in this header.
// Used on the generating thread; read the results after generate() returns.
#include <cstdint>
#include <memory>
#include <vector>

namespace vora::core {

class AttentionObserver;

struct ImageSpan {
    int64_t start = 0; // first position of the image's tokens in the expanded sequence
    int gridHeight = 0;
    int gridWidth = 0;
};

struct TokenAttention {
    int64_t queryPosition = 0;
    float imageShare = 0; // fraction of the attention mass on image tokens (all images)
    std::vector<std::vector<float>> perImage; // [image][gridHeight * gridWidth], raster order
};

class AttentionRecorder {
public:
    // layers: decoder layers to average; empty means all layers.
    explicit AttentionRecorder(std::vector<int> layers = {});
    ~AttentionRecorder();

    // Called by the engine before generation.
    void begin(std::vector<ImageSpan> images, int64_t promptLength);
    const std::vector<ImageSpan>& images() const;
    // One entry per generated token, in order.
    std::vector<TokenAttention> tokens() const;

    AttentionObserver* observer();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace vora::core
