#include "core/tokenizer/hf_tokenizer.h"

#include "core/error.h"
#include "core/tokenizer/tokenizer_files.h"
#include "core/unicode/unicode.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace vora::core {
namespace {

using nlohmann::json;

std::vector<std::pair<std::string, std::string>> parseMerges(const json& merges, const std::string& file)
{
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(merges.size());
    for (const auto& merge : merges) {
        if (merge.is_array() && merge.size() == 2) {
            out.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
            continue;
        }
        require(merge.is_string(), ErrorCode::CorruptFile, file + ": a merge is neither \"a b\" nor [a, b]");
        const std::string text = merge.get<std::string>();
        const std::size_t space = text.find(' ', 1);
        require(space != std::string::npos, ErrorCode::CorruptFile, file + ": merge without a space: " + text);
        out.emplace_back(text.substr(0, space), text.substr(space + 1));
    }
    return out;
}

int32_t tokenId(const json& value, const std::string& file, const std::string& token)
{
    require(value.is_number_integer() && value.get<int64_t>() >= 0
                && value.get<int64_t>() <= std::numeric_limits<int32_t>::max(),
            ErrorCode::CorruptFile, file + ": token '" + token + "' has id " + value.dump() + ", not an id in [0, 2^31)");
    return static_cast<int32_t>(value.get<int64_t>());
}

TokenMap parseVocab(const json& vocab, const std::string& file)
{
    require(vocab.is_object(), ErrorCode::CorruptFile, file + ": the vocabulary is not a token -> id object");
    TokenMap tokens;
    tokens.reserve(vocab.size());
    for (const auto& [token, id] : vocab.items()) {
        tokens.emplace(token, tokenId(id, file, token));
    }
    return tokens;
}

std::optional<std::string> optionalString(const json& node, const char* key)
{
    if (!node.contains(key) || node[key].is_null()) {
        return std::nullopt;
    }
    return node[key].get<std::string>();
}

} // namespace

TokenizerConfig readTokenizerConfig(const std::string& path)
{
    TokenizerConfig config;
    if (!fileExists(path)) {
        return config;
    }
    const json root = readJsonFile(path);
    const auto token = [&](const char* key) -> std::optional<std::string> {
        if (!root.contains(key) || root[key].is_null()) {
            return std::nullopt;
        }
        const json& value = root[key];
        if (value.is_object()) {
            return value.at("content").get<std::string>();
        }
        require(value.is_string(), ErrorCode::CorruptFile, path + ": " + key + " is neither a string nor an object");
        return value.get<std::string>();
    };
    const auto flag = [&](const char* key) -> std::optional<bool> {
        return root.contains(key) && root[key].is_boolean() ? std::optional<bool>(root[key].get<bool>()) : std::nullopt;
    };
    config.bosToken = token("bos_token");
    config.eosToken = token("eos_token");
    config.padToken = token("pad_token");
    config.unkToken = token("unk_token");
    config.addBosToken = flag("add_bos_token");
    config.addEosToken = flag("add_eos_token");
    return config;
}

std::unique_ptr<HfTokenizer> HfTokenizer::fromTokenizerJson(const std::string& path, const TokenizerConfig& config)
{
    return fromTokenizerJsonText(readTextFile(path), path, config);
}

std::unique_ptr<HfTokenizer> HfTokenizer::fromTokenizerJsonText(const std::string& text, const std::string& path,
                                                                const TokenizerConfig& config)
{
    json root;
    try {
        root = json::parse(text);
    } catch (const json::exception& e) { // parse_error, or out_of_range for a number like 1e400
        throw Error(ErrorCode::CorruptFile, path + ": invalid JSON: " + e.what());
    }
    try {
        require(root.is_object() && root.contains("model"), ErrorCode::CorruptFile, path + ": no \"model\" section");
        const json& model = root["model"];
        const std::string type = model.value("type", model.contains("merges") ? "BPE" : "");
        require(type == "BPE", ErrorCode::UnsupportedFormat,
                path + ": model type \"" + type + "\" is not supported (only BPE)");
        HfPipeline pipeline;
        parseNormalizer(root.value("normalizer", json()), path, pipeline.normalizers);
        parsePreTokenizer(root.value("pre_tokenizer", json()), path, pipeline);
        parseDecoder(root.value("decoder", json()), path, pipeline.decoders);
        parsePostProcessor(root.value("post_processor", json()), path, pipeline.postProcessor);

        BpeOptions options;
        options.byteLevel = pipeline.byteLevel;
        options.byteFallback = model.value("byte_fallback", false);
        options.unkToken = optionalString(model, "unk_token");
        options.fuseUnk = model.value("fuse_unk", false);
        options.ignoreMerges = model.value("ignore_merges", false);
        options.continuingSubwordPrefix = optionalString(model, "continuing_subword_prefix").value_or("");
        options.endOfWordSuffix = optionalString(model, "end_of_word_suffix").value_or("");
        require(model.value("dropout", json()).is_null() || model["dropout"].get<double>() == 0.0,
                ErrorCode::UnsupportedFormat, path + ": BPE dropout is not supported");
        TokenMap vocab = parseVocab(model.at("vocab"), path);
        auto bpe = std::make_unique<BpeModel>(std::move(vocab), parseMerges(model.at("merges"), path), options, path);

        std::vector<AddedToken> added;
        for (const auto& t : root.value("added_tokens", json::array())) {
            added.push_back({tokenId(t.at("id"), path, t.at("content").get<std::string>()), t.at("content").get<std::string>(), t.value("special", false),
                             t.value("single_word", false), t.value("lstrip", false), t.value("rstrip", false),
                             t.value("normalized", false)});
        }
        const int64_t idLimit = bpe->size() + static_cast<int64_t>(added.size()) + kMaxTokenIdGap;
        for (const AddedToken& token : added) {
            require(token.id < idLimit, ErrorCode::CorruptFile,
                    path + ": added token '" + token.content + "' has id " + std::to_string(token.id)
                        + ", far beyond the vocabulary's " + std::to_string(bpe->size()) + " ids");
        }
        std::unique_ptr<HfTokenizer> tokenizer(new HfTokenizer(std::move(bpe), std::move(pipeline), std::move(added)));
        tokenizer->applyConfig(config);
        return tokenizer;
    } catch (const json::exception& e) {
        throw Error(ErrorCode::CorruptFile, path + ": unexpected structure: " + e.what());
    }
}

std::unique_ptr<HfTokenizer> HfTokenizer::fromVocabAndMerges(const std::string& vocabPath,
                                                             const std::string& mergesPath,
                                                             const TokenizerConfig& config)
{
    TokenMap vocab = parseVocab(readJsonFile(vocabPath), vocabPath);
    std::vector<std::pair<std::string, std::string>> merges;
    const std::string text = readTextFile(mergesPath);
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        end = end == std::string::npos ? text.size() : end;
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line.starts_with("#version")) {
            continue;
        }
        const std::size_t space = line.find(' ', 1);
        require(space != std::string::npos, ErrorCode::CorruptFile, mergesPath + ": line without a space: " + line);
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
    HfPipeline pipeline;
    pipeline.byteLevel = true;
    pipeline.preTokenizers.push_back({PreTokenizerStep::Kind::ByteLevel, SplitPattern::Gpt2, true, false});
    pipeline.decoders.push_back({DecoderStep::Kind::ByteLevel, {}, {}, U' ', 0, 0});
    BpeOptions options;
    options.byteLevel = true;
    auto bpe = std::make_unique<BpeModel>(std::move(vocab), merges, options, vocabPath);
    // GPT-2's <|endoftext|> lives in vocab.json; HF's GPT2Tokenizer treats it as a special token.
    std::vector<AddedToken> added;
    for (const auto& name : {config.bosToken, config.eosToken, config.padToken, config.unkToken,
                             std::optional<std::string>("<|endoftext|>")}) {
        if (name && bpe->tokenToId(*name)
            && std::none_of(added.begin(), added.end(), [&](const AddedToken& t) { return t.content == *name; })) {
            added.push_back({*bpe->tokenToId(*name), *name, true, false, false, false, false});
        }
    }
    std::unique_ptr<HfTokenizer> tokenizer(new HfTokenizer(std::move(bpe), std::move(pipeline), std::move(added)));
    tokenizer->applyConfig(config);
    if (config.addBosToken.value_or(false) && tokenizer->m_bos) {
        tokenizer->m_pipeline.postProcessor.prefix = {*tokenizer->m_bos};
    }
    if (config.addEosToken.value_or(false) && tokenizer->m_eos) {
        tokenizer->m_pipeline.postProcessor.suffix = {*tokenizer->m_eos};
    }
    return tokenizer;
}

HfTokenizer::HfTokenizer(std::unique_ptr<BpeModel> model, HfPipeline pipeline, std::vector<AddedToken> addedTokens)
    : m_model(std::move(model)), m_pipeline(std::move(pipeline)), m_addedTokens(std::move(addedTokens))
{
    std::sort(m_addedTokens.begin(), m_addedTokens.end(),
              [](const AddedToken& a, const AddedToken& b) { return a.id < b.id; });
    std::vector<AddedToken> raw;
    std::vector<AddedToken> normalized;
    for (const auto& token : m_addedTokens) {
        m_addedByContent.emplace(token.content, token.id);
        (token.normalized ? normalized : raw).push_back(token);
    }
    m_rawMatcher = AddedTokenMatcher(std::move(raw));
    m_normalizedMatcher = AddedTokenMatcher(std::move(normalized));
}

void HfTokenizer::applyConfig(const TokenizerConfig& config)
{
    const auto resolve = [this](const std::optional<std::string>& name,
                                std::initializer_list<const char*> fallbacks) -> std::optional<int32_t> {
        if (name) {
            return tokenToId(*name);
        }
        for (const char* candidate : fallbacks) {
            if (const auto id = tokenToId(candidate)) {
                return id;
            }
        }
        return std::nullopt;
    };
    const bool haveConfig = config.bosToken || config.eosToken || config.padToken;
    m_bos = haveConfig ? resolve(config.bosToken, {}) : resolve(std::nullopt, {"<s>", "<|begin_of_text|>"});
    m_eos = haveConfig ? resolve(config.eosToken, {}) : resolve(std::nullopt, {"</s>", "<|endoftext|>"});
    m_pad = haveConfig ? resolve(config.padToken, {}) : resolve(std::nullopt, {"<pad>"});
}

const AddedToken* HfTokenizer::addedToken(int32_t id) const
{
    const auto it = std::lower_bound(m_addedTokens.begin(), m_addedTokens.end(), id,
                                     [](const AddedToken& t, int32_t value) { return t.id < value; });
    return it != m_addedTokens.end() && it->id == id ? &*it : nullptr;
}

void HfTokenizer::encodeText(std::string_view text, bool parseSpecial, std::vector<int32_t>& ids) const
{
    std::vector<TextSegment> segments;
    m_rawMatcher.split(text, !parseSpecial, segments);
    std::vector<TextSegment> inner;
    std::vector<std::string> words;
    for (const auto& segment : segments) {
        if (segment.tokenId >= 0) {
            ids.push_back(segment.tokenId);
            continue;
        }
        const std::string normalized = normalizeText(m_pipeline.normalizers, segment.text);
        inner.clear();
        m_normalizedMatcher.split(normalized, !parseSpecial, inner);
        for (const auto& piece : inner) {
            if (piece.tokenId >= 0) {
                ids.push_back(piece.tokenId);
                continue;
            }
            words.clear();
            preTokenize(m_pipeline, piece.text, words);
            for (const auto& word : words) {
                m_model->encodeWord(word, ids);
            }
        }
    }
}

std::vector<int32_t> HfTokenizer::encode(std::string_view text, const EncodeOptions& options) const
{
    std::vector<int32_t> ids;
    ids.reserve(text.size() / 3 + 4);
    if (options.addSpecial) {
        ids = m_pipeline.postProcessor.prefix;
    }
    if (unicode::isValidUtf8(text)) {
        encodeText(text, options.parseSpecial, ids);
    } else {
        encodeText(unicode::repairUtf8(text), options.parseSpecial, ids);
    }
    if (options.addSpecial) {
        ids.insert(ids.end(), m_pipeline.postProcessor.suffix.begin(), m_pipeline.postProcessor.suffix.end());
    }
    return ids;
}

std::string HfTokenizer::decodeRaw(const std::vector<int32_t>& ids, bool skipSpecial, bool continuation) const
{
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const int32_t id : ids) {
        if (const AddedToken* added = addedToken(id)) {
            if (!(skipSpecial && added->special)) {
                tokens.push_back(added->content);
            }
        } else if (id >= 0 && id < m_model->size() && !m_model->idToToken(id).empty()) {
            tokens.push_back(m_model->idToToken(id));
        }
    }
    return runDecoders(m_pipeline.decoders, std::move(tokens), continuation);
}

std::string HfTokenizer::decode(const std::vector<int32_t>& ids, bool skipSpecial) const
{
    return unicode::repairUtf8(decodeRaw(ids, skipSpecial, false));
}

int32_t HfTokenizer::vocabSize() const
{
    const int32_t maxAdded = m_addedTokens.empty() ? -1 : m_addedTokens.back().id;
    return std::max(m_model->size(), maxAdded + 1);
}

std::optional<int32_t> HfTokenizer::tokenToId(std::string_view token) const
{
    const auto it = m_addedByContent.find(token);
    return it != m_addedByContent.end() ? std::optional<int32_t>(it->second) : m_model->tokenToId(token);
}

std::string HfTokenizer::idToToken(int32_t id) const
{
    const AddedToken* added = addedToken(id);
    return added != nullptr ? added->content : m_model->idToToken(id);
}

bool HfTokenizer::isSpecial(int32_t id) const
{
    const AddedToken* added = addedToken(id);
    return added != nullptr && added->special;
}

bool HfTokenizer::isByteFallback(int32_t id) const
{
    return addedToken(id) == nullptr && m_model->isByteFallbackToken(id);
}

} // namespace vora::core
