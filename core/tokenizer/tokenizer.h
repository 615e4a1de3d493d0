#pragma once
// Text <-> token ids for the supported tokenizer files, with results identical to HF tokenizers
// (tests/core/test_tokenizer_parity.cpp). Ownership: load() returns a tokenizer the caller owns.
// Thread-safety: all const methods may be called concurrently; a StreamingDecoder belongs to one thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vora::core {

struct EncodeOptions {
    // Special-token strings in text -> their ids. HF's default is true; ours is false so that text a
    // user typed cannot inject control tokens. Non-special added tokens always match (as in HF).
    bool parseSpecial = false;
    // BOS/EOS as the tokenizer's post-processor (or tokenizer_config.json) says.
    bool addSpecial = false;
};

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // path: a tokenizer.json, a SentencePiece .model, or a directory holding tokenizer.json,
    // tokenizer.model, or vocab.json + merges.txt (+ tokenizer_config.json for bos/eos/pad and
    // add_bos_token/add_eos_token). Throws Error (FileNotFound, CorruptFile, UnsupportedFormat,
    // InvalidConfig) naming the file.
    static std::unique_ptr<Tokenizer> load(const std::string& path);

    // Invalid UTF-8 in text is read as U+FFFD.
    virtual std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options = {}) const = 0;
    // Ids outside the vocabulary are skipped (as HF does). The result is valid UTF-8.
    virtual std::string decode(const std::vector<int32_t>& ids, bool skipSpecial = false) const = 0;
    virtual int32_t vocabSize() const = 0; // including added tokens
    virtual std::optional<int32_t> tokenToId(std::string_view token) const = 0; // vocab or added token
    virtual std::string idToToken(int32_t id) const = 0; // empty for unknown ids
    virtual bool isSpecial(int32_t id) const = 0;
    virtual std::optional<int32_t> bosId() const = 0;
    virtual std::optional<int32_t> eosId() const = 0;
    virtual std::optional<int32_t> padId() const = 0;

    // For StreamingDecoder. decodeRaw: decode() before the final UTF-8 repair; with continuation,
    // as if non-empty text came before (no start-of-text space stripping). isByteFallback: a
    // <0xHH> byte token whose text depends on the byte tokens around it.
    virtual std::string decodeRaw(const std::vector<int32_t>& ids, bool skipSpecial, bool continuation) const = 0;
    virtual bool isByteFallback(int32_t id) const = 0;
};

// Streaming detokenizer: push ids one by one, get text pieces that never end in a broken UTF-8
// sequence; the concatenation of all pieces + flush() equals decode(all ids, skipSpecial).
// Handles SentencePiece leading-space stripping and byte-fallback tokens. The tokenizer must
// outlive the decoder.
class StreamingDecoder {
public:
    explicit StreamingDecoder(const Tokenizer& tokenizer, bool skipSpecial = true);
    std::string push(int32_t id);
    std::string flush(); // the held tail; the decoder then starts a new text
    void reset();

private:
    const Tokenizer& m_tokenizer;
    bool m_skipSpecial;
    bool m_emitted = false;      // non-empty text was returned since the start
    std::vector<int32_t> m_held; // ids whose text is not final yet
};

} // namespace vora::core
