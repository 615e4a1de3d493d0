#pragma once
// GGUF -> HF model folder: dequantised safetensors weights with HF names (q/k rows restored to HF
// order for llama), config.json, generation_config.json, tokenizer.json, tokenizer_config.json.
// The folder is built under a temporary name beside the target, every file fsynced, checked by
// loading its config and tokenizer, and renamed into place only when complete: a failed import
// leaves nothing that looks like a model. Plain C++ (no torch); one tensor in memory at a time.
#include "core/gguf/gguf_model_layout.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vora::core {

struct GgufImportOptions {
    std::string ggufPath;
    std::string outDir;              // must not exist, or be an empty folder
    std::string dtype = "bfloat16";  // "bfloat16" or "float32"
    uint64_t maxShardBytes = 4ull << 30;
    // Called once per tensor written (index from 1, count, HF name); may be empty.
    std::function<void(size_t index, size_t count, const std::string& name)> progress;
};

struct GgufImportResult {
    GgufDecoderConfig config;
    size_t tensorCount = 0;
    uint64_t weightBytes = 0;
    size_t shardCount = 0;
    std::vector<std::string> warnings; // e.g. a chat template the runtime does not render
};

// Throws Error: InvalidArgument (dtype, an --out that exists), and what the GGUF reader, the plan
// and the tokenizer export throw, naming the file and key or tensor; Io when writing fails.
GgufImportResult importGguf(const GgufImportOptions& options);

} // namespace vora::core
