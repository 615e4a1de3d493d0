#pragma once
// UTF-8 and the few Unicode algorithms the tokenizers need: character classes for the
// pre-tokenizer scanners, NFC, and lossy UTF-8 repair with the same replacement rule as Rust's
// String::from_utf8_lossy (one U+FFFD per maximal invalid subpart) so decoded text matches HF.
// Tables come from core/unicode/gen_unicode_tables.py. All functions are pure and thread-safe.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vora::core::unicode {

enum class CharClass : uint8_t { Other = 0, Letter = 1, Number = 2, Whitespace = 3 };

// Letter: \p{L}; Number: \p{N}; Whitespace: \s of Oniguruma/PCRE in Unicode mode.
CharClass charClass(char32_t cp);
uint8_t combiningClass(char32_t cp);

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at text[pos]; invalid sequences give kReplacement and advance by the
// length of their maximal subpart (at least 1 byte).
char32_t decodeUtf8(std::string_view text, std::size_t& pos);
std::u32string toUtf32(std::string_view text);
void appendUtf8(std::string& out, char32_t cp);
std::string toUtf8(std::u32string_view text);

// bytes.size(), or less when bytes end in the start of a sequence that more bytes could still
// complete: then the length without that unfinished tail. Invalid bytes count as complete.
std::size_t completeUtf8Prefix(std::string_view bytes);
bool isValidUtf8(std::string_view bytes);
// Valid UTF-8 with each maximal invalid subpart replaced by U+FFFD.
std::string repairUtf8(std::string_view bytes);

std::u32string nfc(std::u32string_view text);
std::string nfc(std::string_view text);

} // namespace vora::core::unicode
