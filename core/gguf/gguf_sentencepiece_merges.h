#pragma once
// BPE merges for a SentencePiece-style vocabulary that has scores but no merge list (GGUF
// tokenizer.ggml.model "llama"): every split of a piece into two pieces of the vocabulary is a
// merge, ranked by the score of the merged piece, then by longer left and right parts, then by
// vocabulary order; the same list HF's converters build (generate_merges in transformers), so BPE
// with it reproduces SentencePiece's choices. Plain C++ (no torch).
#include <string>
#include <utility>
#include <vector>

namespace vora::core {

// pieces[i] has scores[i]; pieces must be unique and valid UTF-8 (splits fall on code points).
std::vector<std::pair<std::string, std::string>> sentencePieceMerges(const std::vector<std::string>& pieces,
                                                                     const std::vector<float>& scores);

} // namespace vora::core
