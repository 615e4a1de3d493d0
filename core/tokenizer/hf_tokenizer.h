#pragma once
// A tokenizer described by an HF tokenizer.json (BPE model), or by GPT-2 style vocab.json +
// merges.txt (byte-level BPE with the GPT-2 pattern). See tokenizer.h for the contract.
#include "core/tokenizer/added_tokens.h"
#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/hf_pipeline.h"
#include "core/tokenizer/tokenizer.h"

#include <memory>
#include <string>

namespace vora::core {

// Settings from tokenizer_config.json beside the files (all optional).
struct TokenizerConfig {
    std::optional<std::string> bosToken;
    std::optional<std::string> eosToken;
    std::optional<std::string> padToken;
    std::optional<std::string> unkToken;
    std::optional<bool> addBosToken;
    std::optional<bool> addEosToken;
};

// Reads path when it exists; a missing file gives the empty config.
TokenizerConfig readTokenizerConfig(const std::string& path);

class HfTokenizer final : public Tokenizer {
public:
    static std::unique_ptr<HfTokenizer> fromTokenizerJson(const std::string& path, const TokenizerConfig& config);
    // The same from the file's text (fuzz harnesses, tests); pathForErrors names it in messages.
    static std::unique_ptr<HfTokenizer> fromTokenizerJsonText(const std::string& text, const std::string& pathForErrors,
                                                              const TokenizerConfig& config);
    static std::unique_ptr<HfTokenizer> fromVocabAndMerges(const std::string& vocabPath, const std::string& mergesPath,
                                                           const TokenizerConfig& config);

    std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options = {}) const override;
    std::string decode(const std::vector<int32_t>& ids, bool skipSpecial = false) const override;
    int32_t vocabSize() const override;
    std::optional<int32_t> tokenToId(std::string_view token) const override;
    std::string idToToken(int32_t id) const override;
    bool isSpecial(int32_t id) const override;
    std::optional<int32_t> bosId() const override { return m_bos; }
    std::optional<int32_t> eosId() const override { return m_eos; }
    std::optional<int32_t> padId() const override { return m_pad; }
    std::string decodeRaw(const std::vector<int32_t>& ids, bool skipSpecial, bool continuation) const override;
    bool isByteFallback(int32_t id) const override;

private:
    HfTokenizer(std::unique_ptr<BpeModel> model, HfPipeline pipeline, std::vector<AddedToken> addedTokens);
    void applyConfig(const TokenizerConfig& config);
    void encodeText(std::string_view text, bool parseSpecial, std::vector<int32_t>& ids) const;
    const AddedToken* addedToken(int32_t id) const;

    std::unique_ptr<BpeModel> m_model;
    HfPipeline m_pipeline;
    std::vector<AddedToken> m_addedTokens; // sorted by id
    TokenMap m_addedByContent;
    AddedTokenMatcher m_rawMatcher;        // added tokens matched before normalization
    AddedTokenMatcher m_normalizedMatcher; // "normalized": true tokens, matched after it
    std::optional<int32_t> m_bos;
    std::optional<int32_t> m_eos;
    std::optional<int32_t> m_pad;
};

} // namespace vora::core
