#pragma once
// The config.json and generation_config.json of an HF folder imported from a GGUF
// (LlamaForCausalLM / Qwen2ForCausalLM fields). Plain C++ (no torch).
#include "core/gguf/gguf_model_layout.h"
#include "core/gguf/gguf_tokenizer_export.h"

#include <string>

namespace vora::core {

// torchDtype: "bfloat16" or "float32", the dtype the weights are written in.
std::string hfModelConfigJson(const GgufDecoderConfig& config, const GgufTokenizerExport& tokenizer,
                              const std::string& torchDtype);
// Token ids from the GGUF; greedy decoding (do_sample false), as the HF defaults.
std::string hfGenerationConfigJson(const GgufTokenizerExport& tokenizer);

} // namespace vora::core
