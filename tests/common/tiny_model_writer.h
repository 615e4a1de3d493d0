#pragma once
// Writes a tiny random-weight VoRA model with the real Qwen2 tokenizer and vocabulary size into a
// folder, so end-to-end tests (CLI, app) exercise every step with real ids in a second.
#include <string>

namespace vora::testing {

struct TinyModelOptions {
    int layers = 2;
    int hidden = 16;
    int imageSize = 56; // 4 x 4 patches of 14
    unsigned seed = 1;
    int maxPositions = 4096; // the context
    int loraRank = 0; // > 0: unmerged lora_A / lora_B on every projection of every block
    int mergedLoraLayers = 0; // loraRank 0: the vision-LoRA layers config.json records (merged, no tensors)
};

// Returns dir. Throws vora::core::Error on I/O failure.
std::string writeTinyQwenVoraModel(const std::string& dir, const TinyModelOptions& options = {});

} // namespace vora::testing
