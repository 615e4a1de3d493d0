#include "core/tokenizer/bpe_model.h"

#include "core/error.h"
#include "core/unicode/unicode.h"

#include <array>
#include <cstdio>
#include <queue>

namespace vora::core {
namespace {

constexpr std::size_t kMaxCachedWordBytes = 256;
constexpr std::size_t kMaxCacheEntries = 200000;

struct ByteLevelTables {
    std::array<char32_t, 256> byteToChar{};
    std::array<std::string, 256> byteToUtf8;
    std::array<int16_t, 512> charToByte{}; // the alphabet lies below U+0200
};

ByteLevelTables makeByteLevelTables()
{
    ByteLevelTables t;
    t.charToByte.fill(-1);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        t.byteToChar[static_cast<std::size_t>(b)] = printable ? static_cast<char32_t>(b) : next++;
    }
    for (int b = 0; b < 256; ++b) {
        const char32_t cp = t.byteToChar[static_cast<std::size_t>(b)];
        unicode::appendUtf8(t.byteToUtf8[static_cast<std::size_t>(b)], cp);
        t.charToByte[cp] = static_cast<int16_t>(b);
    }
    return t;
}

const ByteLevelTables& byteLevelTables()
{
    static const ByteLevelTables tables = makeByteLevelTables();
    return tables;
}

uint64_t pairKey(int32_t left, int32_t right)
{
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

} // namespace

const std::string& byteLevelChar(unsigned char byte)
{
    return byteLevelTables().byteToUtf8[byte];
}

std::optional<unsigned char> byteLevelByte(char32_t cp)
{
    if (cp >= 512 || byteLevelTables().charToByte[cp] < 0) {
        return std::nullopt;
    }
    return static_cast<unsigned char>(byteLevelTables().charToByte[cp]);
}

BpeModel::BpeModel(TokenMap vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                   BpeOptions options, const std::string& context)
    : m_vocab(std::move(vocab)), m_options(std::move(options))
{
    int32_t maxId = -1;
    for (const auto& [token, id] : m_vocab) {
        require(id >= 0, ErrorCode::InvalidConfig, context + ": negative id for token '" + token + "'");
        maxId = std::max(maxId, id);
    }
    require(static_cast<int64_t>(maxId) < static_cast<int64_t>(m_vocab.size()) + kMaxTokenIdGap, ErrorCode::InvalidConfig,
            context + ": token id " + std::to_string(maxId) + " is far beyond the vocabulary's "
                + std::to_string(m_vocab.size()) + " tokens");
    m_idToToken.resize(static_cast<std::size_t>(maxId + 1));
    for (const auto& [token, id] : m_vocab) {
        m_idToToken[static_cast<std::size_t>(id)] = token;
    }
    m_merges.reserve(merges.size());
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [left, right] = merges[rank];
        const auto leftId = tokenToId(left);
        const auto rightId = tokenToId(right);
        const std::string merged = left + (right.starts_with(m_options.continuingSubwordPrefix)
                                               ? right.substr(m_options.continuingSubwordPrefix.size())
                                               : right);
        const auto newId = tokenToId(merged);
        require(leftId && rightId && newId, ErrorCode::InvalidConfig,
                context + ": merge " + std::to_string(rank) + " ('" + left + "' '" + right
                    + "') uses a token that is not in the vocabulary");
        m_merges[pairKey(*leftId, *rightId)] = Merge{static_cast<uint32_t>(rank), *newId};
    }
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        m_byteFallbackIds[b] = tokenToId(name).value_or(-1);
        m_byteIds[b] = -1;
        if (m_options.byteLevel) {
            // Vocabularies may lack some bytes (SmolLM2's has no symbol for 21 control and
            // never-in-UTF-8 bytes): those become the unknown token or nothing, as in HF.
            m_byteIds[b] = tokenToId(byteLevelChar(static_cast<unsigned char>(b))).value_or(-1);
        }
    }
    require(!m_options.byteLevel
                || (m_options.continuingSubwordPrefix.empty() && m_options.endOfWordSuffix.empty()),
            ErrorCode::UnsupportedFormat,
            context + ": byte-level BPE with a continuing_subword_prefix or end_of_word_suffix is not supported");
    if (m_options.unkToken) {
        m_unkId = tokenToId(*m_options.unkToken);
        require(m_unkId.has_value(), ErrorCode::InvalidConfig,
                context + ": unk_token '" + *m_options.unkToken + "' is not in the vocabulary");
    }
}

std::optional<int32_t> BpeModel::tokenToId(std::string_view token) const
{
    const auto it = m_vocab.find(token);
    return it == m_vocab.end() ? std::nullopt : std::optional<int32_t>(it->second);
}

const std::string& BpeModel::idToToken(int32_t id) const
{
    static const std::string empty;
    return id >= 0 && id < size() ? m_idToToken[static_cast<std::size_t>(id)] : empty;
}

bool BpeModel::isByteFallbackToken(int32_t id) const
{
    if (!m_options.byteFallback) {
        return false;
    }
    const std::string& token = idToToken(id);
    return token.size() == 6 && token.starts_with("<0x") && token.back() == '>';
}

void BpeModel::initialSymbols(std::string_view word, std::vector<int32_t>& symbols) const
{
    int32_t pendingUnk = -1; // an unknown-token symbol not yet pushed (fuse_unk)
    if (m_options.byteLevel) {
        for (const char c : word) {
            const int32_t id = m_byteIds[static_cast<unsigned char>(c)];
            if (id >= 0) {
                if (pendingUnk >= 0) {
                    symbols.push_back(pendingUnk);
                    pendingUnk = -1;
                }
                symbols.push_back(id);
            } else if (m_unkId) {
                if (pendingUnk >= 0 && !m_options.fuseUnk) {
                    symbols.push_back(pendingUnk);
                }
                pendingUnk = *m_unkId;
            }
        }
        if (pendingUnk >= 0) {
            symbols.push_back(pendingUnk);
        }
        return;
    }
    std::size_t pos = 0;
    std::string piece;
    while (pos < word.size()) {
        const std::size_t start = pos;
        unicode::decodeUtf8(word, pos);
        piece.assign(start == 0 ? std::string() : m_options.continuingSubwordPrefix);
        piece.append(word.substr(start, pos - start));
        if (pos == word.size()) {
            piece.append(m_options.endOfWordSuffix);
        }
        if (const auto id = tokenToId(piece)) {
            if (pendingUnk >= 0) {
                symbols.push_back(pendingUnk);
                pendingUnk = -1;
            }
            symbols.push_back(*id);
            continue;
        }
        if (m_options.byteFallback) {
            const std::string_view bytes = word.substr(start, pos - start);
            bool all = true;
            for (const char c : bytes) {
                all = all && m_byteFallbackIds[static_cast<unsigned char>(c)] >= 0;
            }
            if (all) {
                if (pendingUnk >= 0) {
                    symbols.push_back(pendingUnk);
                    pendingUnk = -1;
                }
                for (const char c : bytes) {
                    symbols.push_back(m_byteFallbackIds[static_cast<unsigned char>(c)]);
                }
                continue;
            }
        }
        if (m_unkId) {
            if (pendingUnk >= 0 && !m_options.fuseUnk) {
                symbols.push_back(pendingUnk);
            }
            pendingUnk = *m_unkId;
        }
    }
    if (pendingUnk >= 0) {
        symbols.push_back(pendingUnk);
    }
}

const BpeModel::Merge* BpeModel::findMerge(int32_t left, int32_t right) const
{
    const auto it = m_merges.find(pairKey(left, right));
    return it == m_merges.end() ? nullptr : &it->second;
}

void BpeModel::mergeSymbols(std::vector<int32_t>& symbols) const
{
    if (symbols.size() < 2) {
        return;
    }
    struct Candidate {
        uint32_t rank;
        uint32_t pos;
        int32_t newId;
        bool operator<(const Candidate& other) const
        {
            return rank != other.rank ? rank > other.rank : pos > other.pos; // min-heap on (rank, pos)
        }
    };
    const auto n = static_cast<int32_t>(symbols.size());
    std::vector<int32_t> prev(symbols.size());
    std::vector<int32_t> next(symbols.size());
    std::vector<char> alive(symbols.size(), 1);
    std::vector<Candidate> heapStorage;
    heapStorage.reserve(symbols.size() * 2);
    std::priority_queue<Candidate> queue(std::less<Candidate>{}, std::move(heapStorage));
    for (int32_t i = 0; i < n; ++i) {
        prev[static_cast<std::size_t>(i)] = i - 1;
        next[static_cast<std::size_t>(i)] = i + 1 < n ? i + 1 : -1;
        if (i + 1 < n) {
            if (const Merge* m = findMerge(symbols[static_cast<std::size_t>(i)], symbols[static_cast<std::size_t>(i + 1)])) {
                queue.push({m->rank, static_cast<uint32_t>(i), m->newId});
            }
        }
    }
    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        const std::size_t pos = top.pos;
        if (!alive[pos] || next[pos] < 0) {
            continue;
        }
        const auto right = static_cast<std::size_t>(next[pos]);
        const Merge* current = findMerge(symbols[pos], symbols[right]);
        if (current == nullptr || current->newId != top.newId) {
            continue; // stale entry: one side merged since it was queued
        }
        symbols[pos] = top.newId;
        alive[right] = 0;
        next[pos] = next[right];
        if (next[pos] >= 0) {
            prev[static_cast<std::size_t>(next[pos])] = static_cast<int32_t>(pos);
        }
        if (prev[pos] >= 0) {
            const auto left = static_cast<std::size_t>(prev[pos]);
            if (const Merge* m = findMerge(symbols[left], symbols[pos])) {
                queue.push({m->rank, static_cast<uint32_t>(left), m->newId});
            }
        }
        if (next[pos] >= 0) {
            if (const Merge* m = findMerge(symbols[pos], symbols[static_cast<std::size_t>(next[pos])])) {
                queue.push({m->rank, static_cast<uint32_t>(pos), m->newId});
            }
        }
    }
    std::size_t out = 0;
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        if (alive[i]) {
            symbols[out++] = symbols[i];
        }
    }
    symbols.resize(out);
}

void BpeModel::encodeWord(std::string_view word, std::vector<int32_t>& out) const
{
    if (word.empty()) {
        return;
    }
    if (m_options.ignoreMerges) {
        if (const auto id = tokenToId(word)) {
            out.push_back(*id);
            return;
        }
    }
    if (m_options.byteLevel && word.size() == 1 && m_byteIds[static_cast<unsigned char>(word[0])] >= 0) {
        out.push_back(m_byteIds[static_cast<unsigned char>(word[0])]);
        return;
    }
    const bool cacheable = word.size() <= kMaxCachedWordBytes;
    if (cacheable) {
        const std::lock_guard lock(m_cacheMutex);
        const auto it = m_cache.find(word);
        if (it != m_cache.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    std::vector<int32_t> symbols;
    symbols.reserve(word.size());
    initialSymbols(word, symbols);
    mergeSymbols(symbols);
    out.insert(out.end(), symbols.begin(), symbols.end());
    if (cacheable) {
        const std::lock_guard lock(m_cacheMutex);
        if (m_cache.size() >= kMaxCacheEntries) {
            m_cache.clear();
        }
        m_cache.emplace(std::string(word), std::move(symbols));
    }
}

} // namespace vora::core
