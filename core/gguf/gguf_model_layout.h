#pragma once
// What a LLaMA-family GGUF (general.architecture "llama" or "qwen2") holds, in HF terms: the
// config.json fields from the "<arch>.*" metadata and, for every GGUF tensor, its HF name and
// shape, checked against that config. llama.cpp's converter reorders the rows of llama's q/k
// projections for its rotary layout; the plan says where to undo that. Plain C++ (no torch).
#include "core/gguf/gguf_file.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vora::core {

struct GgufDecoderConfig {
    std::string architecture; // "llama" | "qwen2"
    int64_t vocabSize = 0;
    int64_t hiddenSize = 0;
    int64_t intermediateSize = 0;
    int64_t numLayers = 0;
    int64_t numHeads = 0;
    int64_t numKeyValueHeads = 0;
    int64_t headDim = 0;
    int64_t maxPositionEmbeddings = 0;
    double rmsNormEps = 1e-5;
    double ropeTheta = 10000.0;
    std::optional<double> linearRopeScaling; // rope.scaling.type "linear": its factor
    bool tieWordEmbeddings = false;          // no output.weight: lm_head is the embedding
    bool attentionBias = false;              // q/k/v biases (always for qwen2)
};

struct GgufTensorPlan {
    const GgufTensorInfo* source = nullptr;
    std::string hfName;
    std::vector<int64_t> shape; // HF order, outermost first
    // > 0: the rows are in llama.cpp's rotary order for this many heads; undo with
    // unpermuteRotaryRows before writing.
    int64_t rotaryHeads = 0;
};

struct GgufModelPlan {
    GgufDecoderConfig config;
    std::vector<GgufTensorPlan> tensors; // in the GGUF's order
};

// Throws Error(UnsupportedFormat) for other architectures, quantisation types that cannot be
// dequantised or tensors outside the layout; Error(CorruptFile) for missing or contradictory
// metadata and tensors of the wrong shape. Messages name the file, key or tensor.
GgufModelPlan planGgufModel(const GgufFile& file);

// Undoes llama.cpp's permute(): within each head of `heads`, its rows were stored as pairs
// (2j, 2j+1) = HF rows (j, j + headDim/2). rows x cols floats, row-major, rewritten in place.
void unpermuteRotaryRows(std::vector<float>& values, int64_t rows, int64_t cols, int64_t heads);

} // namespace vora::core
