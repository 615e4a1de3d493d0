#pragma once
// Hand-written scanners for the pre-tokenizer regexes that HF tokenizer files use. Each scanner
// reproduces the backtracking engine's findall over code points for its exact pattern: ordered
// alternatives, greedy quantifiers, the (?!\S) look-ahead. Unknown patterns are refused at load.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vora::core {

enum class SplitPattern {
    Gpt2,   // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    Qwen2,  // (?i:'s|...)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    Llama3, // as Qwen2 with \p{N}{1,3}
};

std::optional<SplitPattern> recognizeSplitPattern(std::string_view regex);
const char* splitPatternRegex(SplitPattern pattern);

// Appends the [begin, end) code-point ranges of text's pieces: regex matches and the text between
// them ("Isolated" split behaviour), in order, covering text.
void splitPieces(SplitPattern pattern, std::u32string_view text, std::vector<std::pair<uint32_t, uint32_t>>& pieces);

} // namespace vora::core
