#pragma once
// The BPE model of HF tokenizers: a word's initial symbols (bytes mapped through the byte-level
// alphabet, or characters with byte fallback / unknown token) merged by rank, lowest rank first and
// leftmost on ties, exactly as tokenizers' Word::merge_all does. Words are cached.
// Thread-safety: const methods may be called from several threads (the cache has its own lock).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vora::core {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};
using TokenMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

// Token ids index dense tables (id -> token here, rows of the logits elsewhere), so a vocabulary's
// largest id may run past its number of tokens only by this much: a 5 KB file with one id of 5e7
// must not cost gigabytes.
inline constexpr int64_t kMaxTokenIdGap = 1 << 16;

struct BpeOptions {
    bool byteLevel = false; // words are raw bytes; symbols come from the GPT-2 byte alphabet
    bool byteFallback = false;
    std::optional<std::string> unkToken;
    bool fuseUnk = false;
    bool ignoreMerges = false;
    std::string continuingSubwordPrefix;
    std::string endOfWordSuffix;
};

class BpeModel {
public:
    // merges in priority order (index = rank). Throws Error(InvalidConfig) on a merge whose parts or
    // result are not in the vocabulary; context names the file.
    BpeModel(TokenMap vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options,
             const std::string& context);

    void encodeWord(std::string_view word, std::vector<int32_t>& out) const;

    int32_t size() const { return static_cast<int32_t>(m_idToToken.size()); }
    std::optional<int32_t> tokenToId(std::string_view token) const;
    // Empty for ids the vocabulary does not have.
    const std::string& idToToken(int32_t id) const;
    bool isByteFallbackToken(int32_t id) const;
    bool byteLevel() const { return m_options.byteLevel; }

private:
    struct Merge {
        uint32_t rank;
        int32_t newId;
    };
    void initialSymbols(std::string_view word, std::vector<int32_t>& symbols) const;
    void mergeSymbols(std::vector<int32_t>& symbols) const;
    const Merge* findMerge(int32_t left, int32_t right) const;

    TokenMap m_vocab;
    std::vector<std::string> m_idToToken;
    std::unordered_map<uint64_t, Merge> m_merges;
    BpeOptions m_options;
    int32_t m_byteIds[256];         // byte-level alphabet
    int32_t m_byteFallbackIds[256]; // <0xHH> tokens, -1 when absent
    std::optional<int32_t> m_unkId;

    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> m_cache;
};

// GPT-2's reversible byte <-> printable character mapping used by ByteLevel pre-tokenizers/decoders.
const std::string& byteLevelChar(unsigned char byte);     // UTF-8 of the character for a byte
std::optional<unsigned char> byteLevelByte(char32_t cp); // inverse; nullopt outside the alphabet

} // namespace vora::core
