#pragma once
// An HF tokenizer.json + tokenizer_config.json built from a GGUF's tokenizer.ggml.* metadata.
// Supported: tokenizer.ggml.model "gpt2" (byte-level BPE with the merges) with the pre-tokenizers
// llama.cpp calls "gpt-2", "smollm" (every digit alone, then GPT-2 byte-level), "qwen2" (NFC,
// Qwen2 split regex) and "llama-bpe" (Llama-3 regex, whole-word vocabulary hits before merges);
// and "llama" (SentencePiece-style BPE: the pieces, merges ranked by their scores, <0xHH> byte
// fallback, as HF's LlamaConverter writes it); token types CONTROL/UNKNOWN -> special added
// tokens, USER_DEFINED -> added tokens. Anything else is
// refused with Error(UnsupportedFormat) naming the file and key. Plain C++ (no torch).
#include "core/gguf/gguf_file.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vora::core {

struct GgufTokenizerExport {
    std::string tokenizerJson;
    std::string tokenizerConfigJson;
    std::optional<int64_t> bosId;
    std::optional<int64_t> padId;
    std::vector<int64_t> eosIds; // eos, then end-of-turn ids when they differ
    std::optional<std::string> chatTemplate;
};

// vocabSize: rows of the embedding (token ids must stay below it); contextLength for
// model_max_length.
GgufTokenizerExport exportGgufTokenizer(const GgufFile& file, int64_t vocabSize, int64_t contextLength);

} // namespace vora::core
