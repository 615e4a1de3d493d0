#include "core/gguf/gguf_tokenizer_export.h"

#include "core/error.h"
#include "core/gguf/gguf_sentencepiece_merges.h"
#include "core/tokenizer/pre_tokenizer.h"
#include "core/unicode/unicode.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace vora::core {
namespace {

using nlohmann::ordered_json;

// llama.cpp's token types (tokenizer.ggml.token_type).
enum TokenType : int64_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

ordered_json byteLevel(bool addPrefixSpace, bool trimOffsets, bool useRegex)
{
    return {{"type", "ByteLevel"}, {"add_prefix_space", addPrefixSpace}, {"trim_offsets", trimOffsets},
            {"use_regex", useRegex}};
}

ordered_json splitRegex(SplitPattern pattern)
{
    return {{"type", "Split"}, {"pattern", {{"Regex", splitPatternRegex(pattern)}}}, {"behavior", "Isolated"},
            {"invert", false}};
}

struct PreTokenizer {
    ordered_json normalizer;
    ordered_json preTokenizer;
    bool ignoreMerges = false;
};

// The HF pipeline each llama.cpp pre-tokenizer name stands for (as the HF tokenizer.json of the
// models llama.cpp gave that name has it).
PreTokenizer preTokenizerFor(const std::string& pre, const GgufFile& file)
{
    PreTokenizer out;
    if (pre == "gpt-2") {
        out.preTokenizer = byteLevel(false, true, true);
    } else if (pre == "smollm") {
        out.preTokenizer = {{"type", "Sequence"},
                            {"pretokenizers",
                             {{{"type", "Digits"}, {"individual_digits", true}}, byteLevel(false, true, true)}}};
    } else if (pre == "qwen2") {
        out.normalizer = {{"type", "NFC"}};
        out.preTokenizer = {{"type", "Sequence"},
                            {"pretokenizers", {splitRegex(SplitPattern::Qwen2), byteLevel(false, false, false)}}};
    } else if (pre == "llama-bpe") {
        out.preTokenizer = {{"type", "Sequence"},
                            {"pretokenizers", {splitRegex(SplitPattern::Llama3), byteLevel(false, true, false)}}};
        out.ignoreMerges = true;
    } else {
        throw Error(ErrorCode::UnsupportedFormat,
                    file.path() + ": tokenizer.ggml.pre \"" + pre
                        + "\" is not supported (supported: gpt-2, smollm, qwen2, llama-bpe); the way it splits text "
                          "before BPE is unknown here, so the tokens would silently differ");
    }
    return out;
}

std::optional<int64_t> tokenId(const GgufFile& file, const std::string& key, size_t tokenCount)
{
    const auto id = file.unsignedInteger(key);
    if (!id) {
        return std::nullopt;
    }
    require(*id < tokenCount, ErrorCode::CorruptFile,
            file.path() + ": " + key + " " + std::to_string(*id) + " is not a token id (the vocabulary has "
                + std::to_string(tokenCount) + " tokens)");
    return static_cast<int64_t>(*id);
}

std::vector<int64_t> tokenTypes(const GgufFile& file, size_t tokenCount)
{
    std::vector<int64_t> types(tokenCount, Normal);
    const GgufValue* array = file.numericArray("tokenizer.ggml.token_type");
    if (!array) {
        return types;
    }
    require(array->size() == tokenCount, ErrorCode::CorruptFile,
            file.path() + ": tokenizer.ggml.token_type has " + std::to_string(array->size()) + " entries for "
                + std::to_string(tokenCount) + " tokens");
    for (size_t i = 0; i < tokenCount; ++i) {
        const auto type = array->signedAt(i);
        require(type && *type >= Normal && *type <= Byte, ErrorCode::CorruptFile,
                file.path() + ": tokenizer.ggml.token_type[" + std::to_string(i) + "] is not a known token type");
        types[i] = *type;
    }
    return types;
}

ordered_json vocabulary(const GgufFile& file, const std::vector<std::string>& tokens)
{
    ordered_json vocab = ordered_json::object();
    std::set<std::string_view> seen;
    for (size_t i = 0; i < tokens.size(); ++i) {
        require(unicode::isValidUtf8(tokens[i]), ErrorCode::CorruptFile,
                file.path() + ": tokenizer.ggml.tokens[" + std::to_string(i) + "] is not valid UTF-8");
        require(seen.insert(tokens[i]).second, ErrorCode::CorruptFile,
                file.path() + ": tokenizer.ggml.tokens[" + std::to_string(i) + "] \"" + tokens[i] + "\" appears twice");
        vocab[tokens[i]] = i;
    }
    return vocab;
}

ordered_json mergeList(const GgufFile& file)
{
    const std::vector<std::string>* merges = file.stringArray("tokenizer.ggml.merges");
    require(merges != nullptr, ErrorCode::CorruptFile, file.path() + ": a gpt2 tokenizer needs tokenizer.ggml.merges");
    ordered_json out = ordered_json::array();
    for (size_t i = 0; i < merges->size(); ++i) {
        const std::string& merge = (*merges)[i];
        const size_t space = merge.find(' ', 1);
        require(unicode::isValidUtf8(merge) && space != std::string::npos && space + 1 < merge.size()
                    && merge.find(' ', space + 1) == std::string::npos,
                ErrorCode::CorruptFile,
                file.path() + ": tokenizer.ggml.merges[" + std::to_string(i) + "] is not two tokens separated by a space");
        out.push_back(merge);
    }
    return out;
}

ordered_json postProcessor(const std::vector<std::string>& tokens, std::optional<int64_t> bos, bool addBos)
{
    if (!addBos || !bos) {
        return byteLevel(true, false, true);
    }
    const std::string& name = tokens[static_cast<size_t>(*bos)];
    const ordered_json special = {{"SpecialToken", {{"id", name}, {"type_id", 0}}}};
    return {{"type", "TemplateProcessing"},
            {"single", {special, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
            {"pair", {special, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}, special,
                      {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
            {"special_tokens", {{name, {{"id", name}, {"ids", {*bos}}, {"tokens", {name}}}}}}};
}

ordered_json tokenOrNull(const std::vector<std::string>& tokens, std::optional<int64_t> id)
{
    return id ? ordered_json(tokens[static_cast<size_t>(*id)]) : ordered_json(nullptr);
}

// The parts of tokenizer.json that depend on tokenizer.ggml.model.
struct ModelParts {
    ordered_json normalizer;
    ordered_json preTokenizer;
    ordered_json decoder;
    ordered_json model;
};

// "gpt2": byte-level BPE with the file's merges, split as tokenizer.ggml.pre says.
ModelParts bytePairParts(const GgufFile& file, const std::vector<std::string>& tokens, const std::vector<int64_t>& types)
{
    require(std::find(types.begin(), types.end(), Byte) == types.end(), ErrorCode::UnsupportedFormat,
            file.path() + ": byte tokens (token type 6) do not belong in a gpt2 tokenizer");
    const auto pre = file.string("tokenizer.ggml.pre");
    require(pre.has_value(), ErrorCode::UnsupportedFormat,
            file.path() + ": no tokenizer.ggml.pre: without it the text splitting before BPE is unknown");
    const PreTokenizer pipeline = preTokenizerFor(*pre, file);
    ModelParts parts;
    parts.normalizer = pipeline.normalizer;
    parts.preTokenizer = pipeline.preTokenizer;
    parts.decoder = byteLevel(true, true, true);
    parts.model = {{"type", "BPE"},         {"dropout", nullptr},
                   {"unk_token", nullptr},   {"continuing_subword_prefix", nullptr},
                   {"end_of_word_suffix", nullptr}, {"fuse_unk", false},
                   {"byte_fallback", false}, {"ignore_merges", pipeline.ignoreMerges},
                   {"vocab", vocabulary(file, tokens)}, {"merges", mergeList(file)}};
    return parts;
}

// "llama": SentencePiece-style BPE as HF's LlamaConverter writes it (legacy normalizer: "▁" for
// spaces and, with add_space_prefix, one in front; <0xXX> byte fallback), merges ranked by the
// scores (gguf_sentencepiece_merges.h).
ModelParts sentencePieceParts(const GgufFile& file, const std::vector<std::string>& tokens,
                              const std::vector<int64_t>& types, std::optional<int64_t> unk)
{
    const GgufValue* scoreArray = file.numericArray("tokenizer.ggml.scores");
    require(scoreArray && scoreArray->size() == tokens.size(), ErrorCode::CorruptFile,
            file.path() + ": a llama (SentencePiece) tokenizer needs tokenizer.ggml.scores, one per token");
    std::vector<float> scores(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) {
        const auto score = scoreArray->numberAt(i);
        require(score && std::isfinite(*score), ErrorCode::CorruptFile,
                file.path() + ": tokenizer.ggml.scores[" + std::to_string(i) + "] is not a finite number");
        scores[i] = static_cast<float>(*score);
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
        const std::string& t = tokens[i];
        require(types[i] != Byte || (t.size() == 6 && t.starts_with("<0x") && t.back() == '>'), ErrorCode::CorruptFile,
                file.path() + ": tokenizer.ggml.tokens[" + std::to_string(i) + "] is a byte token but not <0xHH>");
    }
    const std::string space = "\xE2\x96\x81"; // U+2581, SentencePiece's space
    const bool prefix = file.boolean("tokenizer.ggml.add_space_prefix").value_or(true);
    ModelParts parts;
    ordered_json normalizers = ordered_json::array();
    if (prefix) {
        normalizers.push_back({{"type", "Prepend"}, {"prepend", space}});
    }
    normalizers.push_back({{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", space}});
    parts.normalizer = {{"type", "Sequence"}, {"normalizers", normalizers}};
    parts.preTokenizer = nullptr;
    ordered_json decoders = {{{"type", "Replace"}, {"pattern", {{"String", space}}}, {"content", " "}},
                             {{"type", "ByteFallback"}},
                             {{"type", "Fuse"}}};
    if (prefix) {
        decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
    }
    parts.decoder = {{"type", "Sequence"}, {"decoders", decoders}};
    ordered_json merges = ordered_json::array();
    ordered_json vocab = vocabulary(file, tokens);
    for (const auto& [left, right] : sentencePieceMerges(tokens, scores)) {
        merges.push_back(left + " " + right);
    }
    parts.model = {{"type", "BPE"}, {"dropout", nullptr},
                   {"unk_token", tokenOrNull(tokens, unk)}, {"continuing_subword_prefix", nullptr},
                   {"end_of_word_suffix", nullptr}, {"fuse_unk", true},
                   {"byte_fallback", true}, {"ignore_merges", false},
                   {"vocab", std::move(vocab)}, {"merges", std::move(merges)}};
    return parts;
}

} // namespace

GgufTokenizerExport exportGgufTokenizer(const GgufFile& file, int64_t vocabSize, int64_t contextLength)
{
    const std::string model = file.string("tokenizer.ggml.model").value_or("");
    require(model == "gpt2" || model == "llama", ErrorCode::UnsupportedFormat,
            file.path() + ": tokenizer.ggml.model \"" + model
                + "\" is not supported (supported: gpt2 byte-level BPE, llama SentencePiece-style BPE)");
    const std::vector<std::string>* tokens = file.stringArray("tokenizer.ggml.tokens");
    require(tokens != nullptr && !tokens->empty(), ErrorCode::CorruptFile, file.path() + ": no tokenizer.ggml.tokens");
    require(static_cast<int64_t>(tokens->size()) <= vocabSize, ErrorCode::CorruptFile,
            file.path() + ": tokenizer.ggml.tokens has " + std::to_string(tokens->size())
                + " tokens, more than the embedding's " + std::to_string(vocabSize) + " rows");

    GgufTokenizerExport out;
    const size_t count = tokens->size();
    out.bosId = tokenId(file, "tokenizer.ggml.bos_token_id", count);
    const auto eos = tokenId(file, "tokenizer.ggml.eos_token_id", count);
    const auto unk = tokenId(file, "tokenizer.ggml.unknown_token_id", count);
    out.padId = tokenId(file, "tokenizer.ggml.padding_token_id", count);
    if (eos) {
        out.eosIds.push_back(*eos);
    }
    for (const char* key : {"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
        const auto id = tokenId(file, key, count);
        if (id && std::find(out.eosIds.begin(), out.eosIds.end(), *id) == out.eosIds.end()) {
            out.eosIds.push_back(*id);
        }
    }
    // llama.cpp's defaults: SentencePiece models start with BOS, byte-level ones do not.
    const bool addBos = file.boolean("tokenizer.ggml.add_bos_token").value_or(model == "llama");
    const bool addEos = file.boolean("tokenizer.ggml.add_eos_token").value_or(false);
    require(!addEos, ErrorCode::UnsupportedFormat, file.path() + ": tokenizer.ggml.add_eos_token true is not supported");
    out.chatTemplate = file.string("tokenizer.chat_template");
    require(!out.chatTemplate || unicode::isValidUtf8(*out.chatTemplate), ErrorCode::CorruptFile,
            file.path() + ": tokenizer.chat_template is not valid UTF-8");

    const std::vector<int64_t> types = tokenTypes(file, count);
    ordered_json added = ordered_json::array();
    for (size_t i = 0; i < count; ++i) {
        if (types[i] == Control || types[i] == UserDefined || types[i] == Unknown) {
            added.push_back({{"id", i}, {"content", (*tokens)[i]}, {"single_word", false}, {"lstrip", false},
                             {"rstrip", false}, {"normalized", false}, {"special", types[i] != UserDefined}});
        }
    }
    ModelParts parts = model == "gpt2" ? bytePairParts(file, *tokens, types) : sentencePieceParts(file, *tokens, types, unk);

    ordered_json json = {{"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr}};
    json["added_tokens"] = added;
    json["normalizer"] = std::move(parts.normalizer);
    json["pre_tokenizer"] = std::move(parts.preTokenizer);
    json["post_processor"] = postProcessor(*tokens, out.bosId, addBos);
    json["decoder"] = std::move(parts.decoder);
    json["model"] = std::move(parts.model);
    out.tokenizerJson = json.dump(1);

    ordered_json config = {{"add_bos_token", addBos},
                           {"add_eos_token", false},
                           {"bos_token", tokenOrNull(*tokens, out.bosId)},
                           {"eos_token", tokenOrNull(*tokens, eos)},
                           {"pad_token", tokenOrNull(*tokens, out.padId)},
                           {"unk_token", tokenOrNull(*tokens, unk)},
                           {"clean_up_tokenization_spaces", false},
                           {"model_max_length", contextLength},
                           {"tokenizer_class", "PreTrainedTokenizerFast"}};
    if (out.chatTemplate) {
        config["chat_template"] = *out.chatTemplate;
    }
    out.tokenizerConfigJson = config.dump(2);
    return out;
}

} // namespace vora::core
