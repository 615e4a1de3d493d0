#pragma once
// A SentencePiece .model through the sentencepiece module (core/sentencepiece). Control pieces
// (<s>, </s>) and the unknown piece are the special tokens; with parseSpecial their strings in
// text become their ids, each text chunk between them encoded on its own (as HF's slow
// LlamaTokenizer does). The module is used under a lock: this class is safe to share.
#include "core/sentencepiece/sentencepiece_library.h"
#include "core/tokenizer/added_tokens.h"
#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/tokenizer.h"

#include <mutex>

namespace vora::core {

struct TokenizerConfig;

class SentencePieceTokenizer final : public Tokenizer {
public:
    static std::unique_ptr<SentencePieceTokenizer> load(const std::string& modelPath, const TokenizerConfig& config);

    std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options = {}) const override;
    std::string decode(const std::vector<int32_t>& ids, bool skipSpecial = false) const override;
    int32_t vocabSize() const override { return static_cast<int32_t>(m_pieces.size()); }
    std::optional<int32_t> tokenToId(std::string_view token) const override;
    std::string idToToken(int32_t id) const override;
    bool isSpecial(int32_t id) const override;
    std::optional<int32_t> bosId() const override { return m_bos; }
    std::optional<int32_t> eosId() const override { return m_eos; }
    std::optional<int32_t> padId() const override { return m_pad; }
    std::string decodeRaw(const std::vector<int32_t>& ids, bool skipSpecial, bool continuation) const override;
    bool isByteFallback(int32_t id) const override;

private:
    explicit SentencePieceTokenizer(std::unique_ptr<SentencePieceModel> model);
    std::string decodeRun(const std::vector<int32_t>& ids, bool continuation) const;

    std::unique_ptr<SentencePieceModel> m_model;
    mutable std::mutex m_mutex;
    std::vector<std::string> m_pieces;
    std::vector<char> m_special;
    TokenMap m_pieceIds;
    AddedTokenMatcher m_specialMatcher;
    std::optional<int32_t> m_bos;
    std::optional<int32_t> m_eos;
    std::optional<int32_t> m_pad;
    std::optional<int32_t> m_anchor; // a plain piece that text can follow, for continuation decoding
    bool m_addBos = true;
    bool m_addEos = false;
};

} // namespace vora::core
