#include "core/tokenizer/added_tokens.h"

#include "core/unicode/unicode.h"

#include <algorithm>

namespace vora::core {
namespace {

using unicode::CharClass;

char32_t lastCodePoint(std::string_view text)
{
    std::size_t start = text.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
        --start;
    }
    std::size_t pos = start;
    return unicode::decodeUtf8(text, pos);
}

bool isWordChar(char32_t cp)
{
    const CharClass c = unicode::charClass(cp);
    return c == CharClass::Letter || c == CharClass::Number;
}

bool isSpace(char32_t cp)
{
    return unicode::charClass(cp) == CharClass::Whitespace;
}

} // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens) : m_tokens(std::move(tokens)), m_byFirstByte(256)
{
    std::erase_if(m_tokens, [](const AddedToken& t) { return t.content.empty(); });
    for (uint32_t i = 0; i < m_tokens.size(); ++i) {
        m_byFirstByte[static_cast<unsigned char>(m_tokens[i].content[0])].push_back(i);
    }
    for (auto& bucket : m_byFirstByte) {
        std::stable_sort(bucket.begin(), bucket.end(), [this](uint32_t a, uint32_t b) {
            return m_tokens[a].content.size() > m_tokens[b].content.size();
        });
    }
}

void AddedTokenMatcher::split(std::string_view text, bool skipSpecial, std::vector<TextSegment>& out) const
{
    auto emitText = [&](std::size_t from, std::size_t to) {
        if (from < to) {
            out.push_back({text.substr(from, to - from), -1});
        }
    };
    std::size_t textStart = 0; // start of the pending plain text
    std::size_t pos = 0;
    while (pos < text.size()) {
        const AddedToken* found = nullptr;
        if (!m_tokens.empty()) {
            for (const uint32_t index : m_byFirstByte[static_cast<unsigned char>(text[pos])]) {
                if (text.substr(pos).starts_with(m_tokens[index].content)) {
                    found = &m_tokens[index];
                    break;
                }
            }
        }
        if (found == nullptr) {
            ++pos;
            continue;
        }
        std::size_t start = pos;
        std::size_t stop = pos + found->content.size();
        pos = stop;
        if (skipSpecial && found->special) {
            continue;
        }
        if (found->singleWord) {
            const bool wordBefore = start > 0 && isWordChar(lastCodePoint(text.substr(0, start)));
            std::size_t after = stop;
            const bool wordAfter = stop < text.size() && isWordChar(unicode::decodeUtf8(text, after));
            if (wordBefore || wordAfter) {
                continue;
            }
        }
        if (found->lstrip) {
            while (start > textStart && isSpace(lastCodePoint(text.substr(0, start)))) {
                start -= unicode::toUtf8(std::u32string(1, lastCodePoint(text.substr(0, start)))).size();
            }
        }
        if (found->rstrip) {
            std::size_t next = stop;
            while (next < text.size()) {
                std::size_t probe = next;
                if (!isSpace(unicode::decodeUtf8(text, probe))) {
                    break;
                }
                next = probe;
            }
            stop = next;
            pos = stop;
        }
        emitText(textStart, start);
        out.push_back({text.substr(start, stop - start), found->id});
        textStart = stop;
    }
    emitText(textStart, text.size());
}

} // namespace vora::core
