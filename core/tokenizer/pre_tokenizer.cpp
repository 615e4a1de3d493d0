#include "core/tokenizer/pre_tokenizer.h"

#include "core/unicode/unicode.h"

namespace vora::core {
namespace {

using unicode::CharClass;

constexpr const char* kGpt2Regex = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

class Scanner {
public:
    Scanner(SplitPattern pattern, std::u32string_view text) : m_pattern(pattern), m_text(text) {}

    // End of the match at i, or i when no alternative matches there.
    std::size_t matchAt(std::size_t i) const
    {
        return m_pattern == SplitPattern::Gpt2 ? matchGpt2(i) : matchQwen2(i);
    }

private:
    CharClass cls(std::size_t i) const { return unicode::charClass(m_text[i]); }
    bool has(std::size_t i) const { return i < m_text.size(); }
    bool isClass(std::size_t i, CharClass c) const { return has(i) && cls(i) == c; }
    bool isNewline(std::size_t i) const { return has(i) && (m_text[i] == U'\r' || m_text[i] == U'\n'); }

    std::size_t runOf(std::size_t i, CharClass c) const
    {
        while (isClass(i, c)) {
            ++i;
        }
        return i;
    }

    // The (?i:...) variant also folds U+017F LATIN SMALL LETTER LONG S to 's'.
    std::size_t contraction(std::size_t i, bool ignoreCase) const
    {
        if (!has(i + 1) || m_text[i] != U'\'') {
            return i;
        }
        auto is = [&](std::size_t k, char32_t lower) {
            if (!has(k)) {
                return false;
            }
            const char32_t c = m_text[k];
            if (c == lower) {
                return true;
            }
            return ignoreCase && (c == lower - 32 || (lower == U's' && c == 0x17F));
        };
        if (is(i + 1, U's') || is(i + 1, U't')) {
            return i + 2;
        }
        if ((is(i + 1, U'r') || is(i + 1, U'v')) && is(i + 2, U'e')) {
            return i + 3;
        }
        if (is(i + 1, U'm')) {
            return i + 2;
        }
        if (is(i + 1, U'l') && is(i + 2, U'l')) {
            return i + 3;
        }
        if (is(i + 1, U'd')) {
            return i + 2;
        }
        return i;
    }

    // \s+(?!\S) then \s+ : a whitespace run, less its last character when a non-space follows.
    std::size_t whitespace(std::size_t i) const
    {
        const std::size_t end = runOf(i, CharClass::Whitespace);
        if (end == i) {
            return i;
        }
        if (end == m_text.size() || end - i == 1) {
            return end;
        }
        return end - 1;
    }

    // ' ?X+' for the character class X.
    std::size_t optionalSpaceRun(std::size_t i, CharClass c) const
    {
        const std::size_t start = m_text[i] == U' ' && isClass(i + 1, c) ? i + 1 : i;
        return runOf(start, c) > start ? runOf(start, c) : i;
    }

    std::size_t matchGpt2(std::size_t i) const
    {
        if (const std::size_t end = contraction(i, false); end > i) {
            return end;
        }
        for (const CharClass c : {CharClass::Letter, CharClass::Number, CharClass::Other}) {
            if (const std::size_t end = optionalSpaceRun(i, c); end > i) {
                return end;
            }
        }
        return whitespace(i);
    }

    std::size_t matchQwen2(std::size_t i) const
    {
        if (const std::size_t end = contraction(i, true); end > i) {
            return end;
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        const CharClass first = cls(i);
        if (first == CharClass::Letter) {
            return runOf(i, CharClass::Letter);
        }
        if (first != CharClass::Number && !isNewline(i) && isClass(i + 1, CharClass::Letter)) {
            return runOf(i + 1, CharClass::Letter);
        }
        if (first == CharClass::Number) {
            const std::size_t limit = m_pattern == SplitPattern::Llama3 ? 3 : 1;
            std::size_t end = i;
            while (end - i < limit && isClass(end, CharClass::Number)) {
                ++end;
            }
            return end;
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        if (const std::size_t end = optionalSpaceRun(i, CharClass::Other); end > i) {
            std::size_t stop = end;
            while (isNewline(stop)) {
                ++stop;
            }
            return stop;
        }
        // \s*[\r\n]+ : up to and including the run's last line break
        const std::size_t runEnd = runOf(i, CharClass::Whitespace);
        for (std::size_t k = runEnd; k > i; --k) {
            if (isNewline(k - 1)) {
                return k;
            }
        }
        return whitespace(i);
    }

    SplitPattern m_pattern;
    std::u32string_view m_text;
};

} // namespace

std::optional<SplitPattern> recognizeSplitPattern(std::string_view regex)
{
    for (const SplitPattern p : {SplitPattern::Gpt2, SplitPattern::Qwen2, SplitPattern::Llama3}) {
        if (regex == splitPatternRegex(p)) {
            return p;
        }
    }
    return std::nullopt;
}

const char* splitPatternRegex(SplitPattern pattern)
{
    switch (pattern) {
    case SplitPattern::Gpt2: return kGpt2Regex;
    case SplitPattern::Qwen2: return kQwen2Regex;
    case SplitPattern::Llama3: return kLlama3Regex;
    }
    return "";
}

void splitPieces(SplitPattern pattern, std::u32string_view text, std::vector<std::pair<uint32_t, uint32_t>>& pieces)
{
    const Scanner scanner(pattern, text);
    std::size_t gapStart = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t end = scanner.matchAt(i);
        if (end == i) {
            ++i;
            continue;
        }
        if (gapStart < i) {
            pieces.emplace_back(static_cast<uint32_t>(gapStart), static_cast<uint32_t>(i));
        }
        pieces.emplace_back(static_cast<uint32_t>(i), static_cast<uint32_t>(end));
        i = end;
        gapStart = end;
    }
    if (gapStart < text.size()) {
        pieces.emplace_back(static_cast<uint32_t>(gapStart), static_cast<uint32_t>(text.size()));
    }
}

} // namespace vora::core
