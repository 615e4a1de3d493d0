#include "core/tokenizer/hf_pipeline.h"

#include "core/error.h"
#include "core/tokenizer/bpe_model.h"
#include "core/unicode/unicode.h"

#include <nlohmann/json.hpp>

namespace vora::core {
namespace {

using nlohmann::json;

std::string typeOf(const json& node, const std::string& file, const char* what)
{
    require(node.is_object() && node.contains("type") && node["type"].is_string(), ErrorCode::CorruptFile,
            file + ": " + what + " without a \"type\"");
    return node["type"].get<std::string>();
}

[[noreturn]] void unsupported(const std::string& file, const char* what, const std::string& type)
{
    throw Error(ErrorCode::UnsupportedFormat, file + ": " + what + " \"" + type + "\" is not supported");
}

std::string stringPattern(const json& node, const std::string& file, const char* what)
{
    require(node.contains("pattern") && node["pattern"].contains("String"), ErrorCode::UnsupportedFormat,
            file + ": " + what + " with a non-string pattern is not supported");
    return node["pattern"]["String"].get<std::string>();
}

void replaceAll(std::string& text, std::string_view pattern, std::string_view replacement)
{
    if (pattern.empty() || text.find(pattern) == std::string::npos) {
        return;
    }
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    for (std::size_t hit = text.find(pattern); hit != std::string::npos; hit = text.find(pattern, pos)) {
        out.append(text, pos, hit - pos);
        out.append(replacement);
        pos = hit + pattern.size();
    }
    out.append(text, pos);
    text = std::move(out);
}

void splitWords(SplitPattern pattern, const std::string& word, std::vector<std::string>& out)
{
    const std::u32string codePoints = unicode::toUtf32(word);
    std::vector<std::pair<uint32_t, uint32_t>> pieces;
    splitPieces(pattern, codePoints, pieces);
    for (const auto& [begin, end] : pieces) {
        out.push_back(unicode::toUtf8(std::u32string_view(codePoints).substr(begin, end - begin)));
    }
}

// HF's Digits pre-tokenizer: numeric characters (Rust's char::is_numeric, i.e. \p{N}) split off,
// each alone ("Isolated") or as runs ("Contiguous"); the text between them stays whole.
void splitDigits(const std::string& word, bool individual, std::vector<std::string>& out)
{
    std::size_t pos = 0;
    std::size_t pieceStart = 0;
    bool pieceIsNumber = false;
    auto flush = [&](std::size_t end) {
        if (end > pieceStart) {
            out.push_back(word.substr(pieceStart, end - pieceStart));
        }
        pieceStart = end;
    };
    while (pos < word.size()) {
        const std::size_t start = pos;
        const bool isNumber = unicode::charClass(unicode::decodeUtf8(word, pos)) == unicode::CharClass::Number;
        if (isNumber && individual) {
            flush(start);
            flush(pos);
        } else if (isNumber != pieceIsNumber) {
            flush(start);
        }
        pieceIsNumber = isNumber;
    }
    flush(word.size());
}

// A token's bytes under the byte-level alphabet; tokens with other characters stay as they are.
void appendByteLevelBytes(const std::string& token, std::string& out)
{
    std::string bytes;
    bytes.reserve(token.size());
    std::size_t pos = 0;
    while (pos < token.size()) {
        const auto byte = byteLevelByte(unicode::decodeUtf8(token, pos));
        if (!byte) {
            out.append(token);
            return;
        }
        bytes.push_back(static_cast<char>(*byte));
    }
    out.append(bytes);
}

std::optional<unsigned char> byteFallbackValue(const std::string& token)
{
    if (token.size() != 6 || !token.starts_with("<0x") || token.back() != '>') {
        return std::nullopt;
    }
    const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    };
    const int high = hex(token[3]);
    const int low = hex(token[4]);
    if (high < 0 || low < 0) {
        return std::nullopt;
    }
    return static_cast<unsigned char>(high * 16 + low);
}

std::vector<std::string> byteFallback(std::vector<std::string> tokens)
{
    std::vector<std::string> out;
    std::string bytes;
    std::size_t byteCount = 0;
    auto flush = [&] {
        if (byteCount == 0) {
            return;
        }
        if (unicode::isValidUtf8(bytes)) {
            out.push_back(bytes);
        } else {
            for (std::size_t i = 0; i < byteCount; ++i) {
                out.emplace_back("\xEF\xBF\xBD");
            }
        }
        bytes.clear();
        byteCount = 0;
    };
    for (auto& token : tokens) {
        if (const auto value = byteFallbackValue(token)) {
            bytes.push_back(static_cast<char>(*value));
            ++byteCount;
            continue;
        }
        flush();
        out.push_back(std::move(token));
    }
    flush();
    return out;
}

std::string strip(const std::string& token, const DecoderStep& step, bool keepStart)
{
    std::u32string chars = unicode::toUtf32(token);
    std::size_t begin = 0;
    while (!keepStart && begin < step.stripStart && begin < chars.size() && chars[begin] == step.stripChar) {
        ++begin;
    }
    std::size_t end = chars.size();
    for (std::size_t n = 0; n < step.stripStop && end > begin && chars[end - 1] == step.stripChar; ++n) {
        --end;
    }
    return unicode::toUtf8(std::u32string_view(chars).substr(begin, end - begin));
}

} // namespace

void parseNormalizer(const json& node, const std::string& file, std::vector<NormalizerStep>& out)
{
    if (node.is_null()) {
        return;
    }
    const std::string type = typeOf(node, file, "normalizer");
    if (type == "Sequence") {
        for (const auto& child : node.at("normalizers")) {
            parseNormalizer(child, file, out);
        }
    } else if (type == "NFC") {
        out.push_back({NormalizerStep::Kind::Nfc, {}, {}});
    } else if (type == "Prepend") {
        out.push_back({NormalizerStep::Kind::Prepend, node.at("prepend").get<std::string>(), {}});
    } else if (type == "Replace") {
        out.push_back({NormalizerStep::Kind::Replace, stringPattern(node, file, "Replace normalizer"),
                       node.at("content").get<std::string>()});
    } else {
        unsupported(file, "normalizer", type);
    }
}

void parsePreTokenizer(const json& node, const std::string& file, HfPipeline& out)
{
    if (node.is_null()) {
        return;
    }
    const std::string type = typeOf(node, file, "pre_tokenizer");
    if (type == "Sequence") {
        for (const auto& child : node.at("pretokenizers")) {
            parsePreTokenizer(child, file, out);
        }
    } else if (type == "Split") {
        require(node.contains("pattern") && node["pattern"].contains("Regex"), ErrorCode::UnsupportedFormat,
                file + ": Split pre-tokenizer without a Regex pattern is not supported");
        const std::string regex = node["pattern"]["Regex"].get<std::string>();
        const auto pattern = recognizeSplitPattern(regex);
        require(pattern.has_value(), ErrorCode::UnsupportedFormat,
                file + ": unknown Split regex (supported: the GPT-2, Qwen2 and Llama-3 patterns): " + regex);
        require(node.value("behavior", "") == "Isolated" && !node.value("invert", false), ErrorCode::UnsupportedFormat,
                file + ": Split pre-tokenizer supports only behavior Isolated without invert");
        out.preTokenizers.push_back({PreTokenizerStep::Kind::Split, *pattern, true, false});
    } else if (type == "ByteLevel") {
        out.preTokenizers.push_back({PreTokenizerStep::Kind::ByteLevel, SplitPattern::Gpt2,
                                     node.value("use_regex", true), node.value("add_prefix_space", false)});
        out.byteLevel = true;
    } else if (type == "Digits") {
        PreTokenizerStep step{PreTokenizerStep::Kind::Digits};
        step.individualDigits = node.value("individual_digits", false);
        out.preTokenizers.push_back(step);
    } else {
        unsupported(file, "pre_tokenizer", type);
    }
}

void parseDecoder(const json& node, const std::string& file, std::vector<DecoderStep>& out)
{
    if (node.is_null()) {
        return;
    }
    const std::string type = typeOf(node, file, "decoder");
    DecoderStep step{DecoderStep::Kind::Fuse, {}, {}, U' ', 0, 0};
    if (type == "Sequence") {
        for (const auto& child : node.at("decoders")) {
            parseDecoder(child, file, out);
        }
        return;
    }
    if (type == "ByteLevel") {
        step.kind = DecoderStep::Kind::ByteLevel;
    } else if (type == "Replace") {
        step.kind = DecoderStep::Kind::Replace;
        step.pattern = stringPattern(node, file, "Replace decoder");
        step.replacement = node.at("content").get<std::string>();
    } else if (type == "ByteFallback") {
        step.kind = DecoderStep::Kind::ByteFallback;
    } else if (type == "Fuse") {
        step.kind = DecoderStep::Kind::Fuse;
    } else if (type == "Strip") {
        step.kind = DecoderStep::Kind::Strip;
        const std::u32string content = unicode::toUtf32(node.at("content").get<std::string>());
        require(content.size() == 1, ErrorCode::CorruptFile, file + ": Strip decoder content must be one character");
        step.stripChar = content[0];
        step.stripStart = node.value("start", std::size_t{0});
        step.stripStop = node.value("stop", std::size_t{0});
    } else {
        unsupported(file, "decoder", type);
    }
    out.push_back(std::move(step));
}

void parsePostProcessor(const json& node, const std::string& file, PostProcessor& out)
{
    if (node.is_null()) {
        return;
    }
    const std::string type = typeOf(node, file, "post_processor");
    if (type == "Sequence") {
        for (const auto& child : node.at("processors")) {
            parsePostProcessor(child, file, out);
        }
    } else if (type == "TemplateProcessing") {
        PostProcessor result;
        bool afterSequence = false;
        for (const auto& item : node.at("single")) {
            if (item.contains("Sequence")) {
                afterSequence = true;
                continue;
            }
            const std::string name = item.at("SpecialToken").at("id").get<std::string>();
            require(node.at("special_tokens").contains(name), ErrorCode::CorruptFile,
                    file + ": TemplateProcessing uses undeclared special token " + name);
            const auto ids = node["special_tokens"][name].at("ids").get<std::vector<int32_t>>();
            auto& target = afterSequence ? result.suffix : result.prefix;
            target.insert(target.end(), ids.begin(), ids.end());
        }
        out = std::move(result);
    } else if (type == "BertProcessing" || type == "RobertaProcessing") {
        out.prefix = {node.at("cls").at(1).get<int32_t>()};
        out.suffix = {node.at("sep").at(1).get<int32_t>()};
    } else if (type != "ByteLevel") {
        unsupported(file, "post_processor", type);
    }
}

std::string normalizeText(const std::vector<NormalizerStep>& steps, std::string_view text)
{
    std::string out(text);
    for (const auto& step : steps) {
        switch (step.kind) {
        case NormalizerStep::Kind::Nfc: out = unicode::nfc(out); break;
        case NormalizerStep::Kind::Prepend:
            if (!out.empty()) {
                out.insert(0, step.text);
            }
            break;
        case NormalizerStep::Kind::Replace: replaceAll(out, step.text, step.replacement); break;
        }
    }
    return out;
}

void preTokenize(const HfPipeline& pipeline, std::string_view text, std::vector<std::string>& words)
{
    std::vector<std::string> current{std::string(text)};
    std::vector<std::string> next;
    for (const auto& step : pipeline.preTokenizers) {
        next.clear();
        for (auto& word : current) {
            if (step.kind == PreTokenizerStep::Kind::ByteLevel && step.addPrefixSpace && !word.starts_with(' ')) {
                word.insert(0, 1, ' ');
            }
            if (step.kind == PreTokenizerStep::Kind::Digits) {
                splitDigits(word, step.individualDigits, next);
            } else if (step.kind == PreTokenizerStep::Kind::Split || step.useRegex) {
                splitWords(step.pattern, word, next);
            } else {
                next.push_back(std::move(word));
            }
        }
        std::swap(current, next);
    }
    for (auto& word : current) {
        if (!word.empty()) {
            words.push_back(std::move(word));
        }
    }
}

std::string runDecoders(const std::vector<DecoderStep>& steps, std::vector<std::string> tokens, bool continuation)
{
    if (steps.empty()) {
        std::string joined;
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            joined += (i > 0 ? " " : "") + tokens[i];
        }
        return joined;
    }
    bool fused = false;
    for (const auto& step : steps) {
        switch (step.kind) {
        case DecoderStep::Kind::ByteLevel:
        case DecoderStep::Kind::Fuse: {
            std::string joined;
            for (const auto& token : tokens) {
                if (step.kind == DecoderStep::Kind::ByteLevel) {
                    appendByteLevelBytes(token, joined);
                } else {
                    joined += token;
                }
            }
            tokens.assign(1, std::move(joined));
            fused = true;
            break;
        }
        case DecoderStep::Kind::Replace:
            for (auto& token : tokens) {
                replaceAll(token, step.pattern, step.replacement);
            }
            break;
        case DecoderStep::Kind::ByteFallback: tokens = byteFallback(std::move(tokens)); break;
        case DecoderStep::Kind::Strip:
            for (auto& token : tokens) {
                token = strip(token, step, fused && continuation);
            }
            break;
        }
    }
    std::string out;
    for (const auto& token : tokens) {
        out += token;
    }
    return out;
}

} // namespace vora::core
