#include "core/tokenizer/tokenizer.h"
#include "core/unicode/unicode.h"

namespace vora::core {

StreamingDecoder::StreamingDecoder(const Tokenizer& tokenizer, bool skipSpecial)
    : m_tokenizer(tokenizer), m_skipSpecial(skipSpecial)
{
}

std::string StreamingDecoder::push(int32_t id)
{
    m_held.push_back(id);
    if (m_tokenizer.isByteFallback(id)) {
        return {}; // the next byte token may change how this one reads
    }
    const std::string raw = m_tokenizer.decodeRaw(m_held, m_skipSpecial, m_emitted);
    if (unicode::completeUtf8Prefix(raw) != raw.size() || raw.empty()) {
        return {}; // keep the ids: an unfinished character, or nothing yet that fixes the start
    }
    m_held.clear();
    m_emitted = true;
    return unicode::repairUtf8(raw);
}

std::string StreamingDecoder::flush()
{
    const std::string raw = m_tokenizer.decodeRaw(m_held, m_skipSpecial, m_emitted);
    reset();
    return unicode::repairUtf8(raw);
}

void StreamingDecoder::reset()
{
    m_held.clear();
    m_emitted = false;
}

} // namespace vora::core
