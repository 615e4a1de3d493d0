#include "core/tokenizer/sentencepiece_tokenizer.h"

#include "core/error.h"
#include "core/io/bounded_read.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/unicode/unicode.h"

namespace vora::core {

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::load(const std::string& modelPath,
                                                                     const TokenizerConfig& config)
{
    {
        // The library reads the file itself: refuse a FIFO, a device or a runaway size first.
        const RegularFile file(modelPath);
        require(file.size() <= kMaxTokenizerFileBytes, ErrorCode::CorruptFile,
                modelPath + ": " + std::to_string(file.size()) + " bytes, more than a tokenizer model may hold");
    }
    std::unique_ptr<SentencePieceTokenizer> tokenizer(new SentencePieceTokenizer(SentencePieceModel::load(modelPath)));
    const auto lookup = [&](const std::optional<std::string>& name, std::optional<int32_t> fallback) {
        return name ? tokenizer->tokenToId(*name) : fallback;
    };
    tokenizer->m_bos = lookup(config.bosToken, tokenizer->m_model->bosId());
    tokenizer->m_eos = lookup(config.eosToken, tokenizer->m_model->eosId());
    tokenizer->m_pad = lookup(config.padToken, tokenizer->m_model->padId());
    tokenizer->m_addBos = config.addBosToken.value_or(true);
    tokenizer->m_addEos = config.addEosToken.value_or(false);
    return tokenizer;
}

SentencePieceTokenizer::SentencePieceTokenizer(std::unique_ptr<SentencePieceModel> model) : m_model(std::move(model))
{
    const int32_t count = m_model->pieceCount();
    const auto unk = m_model->unkId();
    m_pieces.reserve(static_cast<std::size_t>(count));
    m_special.resize(static_cast<std::size_t>(count));
    std::vector<AddedToken> specials;
    for (int32_t id = 0; id < count; ++id) {
        m_pieces.push_back(m_model->idToPiece(id));
        m_pieceIds.emplace(m_pieces.back(), id);
        const bool special = m_model->isControl(id) || (unk && *unk == id);
        m_special[static_cast<std::size_t>(id)] = special;
        if (special) {
            specials.push_back({id, m_pieces.back(), true, false, false, false, false});
        }
    }
    m_specialMatcher = AddedTokenMatcher(std::move(specials));
    for (const char* candidate : {"a", "\xE2\x96\x81" "a", "."}) {
        if (const auto id = tokenToId(candidate); id && !isSpecial(*id)) {
            m_anchor = id;
            break;
        }
    }
}

std::vector<int32_t> SentencePieceTokenizer::encode(std::string_view text, const EncodeOptions& options) const
{
    std::vector<int32_t> ids;
    if (options.addSpecial && m_addBos && m_bos) {
        ids.push_back(*m_bos);
    }
    const std::string valid = unicode::repairUtf8(text);
    std::vector<TextSegment> segments;
    if (options.parseSpecial) {
        m_specialMatcher.split(valid, false, segments);
    } else if (!valid.empty()) {
        segments.push_back({valid, -1});
    }
    for (const auto& segment : segments) {
        if (segment.tokenId >= 0) {
            ids.push_back(segment.tokenId);
            continue;
        }
        const std::lock_guard lock(m_mutex);
        const std::vector<int32_t> part = m_model->encode(segment.text);
        ids.insert(ids.end(), part.begin(), part.end());
    }
    if (options.addSpecial && m_addEos && m_eos) {
        ids.push_back(*m_eos);
    }
    return ids;
}

std::string SentencePieceTokenizer::decodeRun(const std::vector<int32_t>& ids, bool continuation) const
{
    if (ids.empty()) {
        return {};
    }
    const std::lock_guard lock(m_mutex);
    if (!continuation || !m_anchor) {
        return m_model->decode(ids);
    }
    std::vector<int32_t> anchored{*m_anchor};
    anchored.insert(anchored.end(), ids.begin(), ids.end());
    const std::string anchorText = m_model->decode({*m_anchor});
    const std::string text = m_model->decode(anchored);
    return text.starts_with(anchorText) ? text.substr(anchorText.size()) : text;
}

std::string SentencePieceTokenizer::decodeRaw(const std::vector<int32_t>& ids, bool skipSpecial,
                                              bool continuation) const
{
    std::string out;
    std::vector<int32_t> run;
    for (const int32_t id : ids) {
        if (id < 0 || id >= vocabSize()) {
            continue;
        }
        if (!isSpecial(id)) {
            run.push_back(id);
            continue;
        }
        if (skipSpecial) {
            continue;
        }
        out += decodeRun(run, continuation || !out.empty());
        run.clear();
        out += m_pieces[static_cast<std::size_t>(id)];
    }
    out += decodeRun(run, continuation || !out.empty());
    return out;
}

std::string SentencePieceTokenizer::decode(const std::vector<int32_t>& ids, bool skipSpecial) const
{
    return unicode::repairUtf8(decodeRaw(ids, skipSpecial, false));
}

std::optional<int32_t> SentencePieceTokenizer::tokenToId(std::string_view token) const
{
    const auto it = m_pieceIds.find(token);
    return it == m_pieceIds.end() ? std::nullopt : std::optional<int32_t>(it->second);
}

std::string SentencePieceTokenizer::idToToken(int32_t id) const
{
    return id >= 0 && id < vocabSize() ? m_pieces[static_cast<std::size_t>(id)] : std::string();
}

bool SentencePieceTokenizer::isSpecial(int32_t id) const
{
    return id >= 0 && id < vocabSize() && m_special[static_cast<std::size_t>(id)];
}

bool SentencePieceTokenizer::isByteFallback(int32_t id) const
{
    const std::string token = idToToken(id);
    return token.size() == 6 && token.starts_with("<0x") && token.back() == '>';
}

} // namespace vora::core
