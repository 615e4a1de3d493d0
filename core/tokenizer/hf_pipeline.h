#pragma once
// The steps of an HF tokenizer.json pipeline that this runtime implements: normalizers (NFC,
// Prepend, Replace), pre-tokenizers (Split with a recognised regex, ByteLevel, Digits), post-processors
// (TemplateProcessing, Bert/Roberta, ByteLevel) and decoders (ByteLevel, Replace, ByteFallback,
// Fuse, Strip). Parsing throws Error(UnsupportedFormat) naming the file and the unknown step.
#include "core/tokenizer/pre_tokenizer.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vora::core {

struct NormalizerStep {
    enum class Kind { Nfc, Prepend, Replace } kind;
    std::string text;        // Prepend: the prefix; Replace: the pattern
    std::string replacement; // Replace
};

struct PreTokenizerStep {
    enum class Kind { Split, ByteLevel, Digits } kind;
    SplitPattern pattern = SplitPattern::Gpt2; // Split, or ByteLevel with useRegex
    bool useRegex = false;
    bool addPrefixSpace = false;
    // Digits: every \p{N} character its own piece (true), or each run of them one piece (false).
    bool individualDigits = false;
};

struct DecoderStep {
    enum class Kind { ByteLevel, Replace, ByteFallback, Fuse, Strip } kind;
    std::string pattern;     // Replace
    std::string replacement; // Replace
    char32_t stripChar = U' ';
    std::size_t stripStart = 0;
    std::size_t stripStop = 0;
};

struct PostProcessor {
    std::vector<int32_t> prefix; // ids before the sequence when special tokens are added
    std::vector<int32_t> suffix;
};

struct HfPipeline {
    std::vector<NormalizerStep> normalizers;
    std::vector<PreTokenizerStep> preTokenizers;
    std::vector<DecoderStep> decoders;
    PostProcessor postProcessor;
    bool byteLevel = false; // a ByteLevel pre-tokenizer: the model sees raw bytes
};

void parseNormalizer(const nlohmann::json& node, const std::string& file, std::vector<NormalizerStep>& out);
void parsePreTokenizer(const nlohmann::json& node, const std::string& file, HfPipeline& out);
void parseDecoder(const nlohmann::json& node, const std::string& file, std::vector<DecoderStep>& out);
void parsePostProcessor(const nlohmann::json& node, const std::string& file, PostProcessor& out);

std::string normalizeText(const std::vector<NormalizerStep>& steps, std::string_view text);
// Splits normalized text into the words the model encodes (raw bytes for byte-level models).
void preTokenize(const HfPipeline& pipeline, std::string_view text, std::vector<std::string>& words);
// Runs the decoder chain over token strings and joins the result. ByteLevel yields raw bytes:
// the caller repairs UTF-8 once at the end, which is what from_utf8_lossy does when ByteLevel is last.
// continuation: the tokens follow earlier non-empty text, so a Strip after Fuse leaves their start alone.
std::string runDecoders(const std::vector<DecoderStep>& steps, std::vector<std::string> tokens, bool continuation);

} // namespace vora::core
