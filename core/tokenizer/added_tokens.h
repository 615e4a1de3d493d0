#pragma once
// Added tokens (tokenizer.json "added_tokens") and the split of text around them, following HF
// tokenizers' AddedVocabulary: leftmost-longest matches, then single_word / lstrip / rstrip; with
// encode_special_tokens (our parseSpecial = false) matched special tokens are left as text.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vora::core {

struct AddedToken {
    int32_t id = 0;
    std::string content;
    bool special = false;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
};

struct TextSegment {
    std::string_view text; // a view into the split input
    int32_t tokenId = -1;  // >= 0: this segment is that added token
};

class AddedTokenMatcher {
public:
    AddedTokenMatcher() = default;
    explicit AddedTokenMatcher(std::vector<AddedToken> tokens);

    bool empty() const { return m_tokens.empty(); }
    // Splits text into plain-text segments and added-token segments. Empty text segments are dropped.
    void split(std::string_view text, bool skipSpecial, std::vector<TextSegment>& out) const;

private:
    std::vector<AddedToken> m_tokens;
    std::vector<std::vector<uint32_t>> m_byFirstByte; // token indices, longest first
};

} // namespace vora::core
