#include "core/chat/chat_template.h"

#include "core/error.h"
#include "core/tokenizer/tokenizer_files.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace vora::core {
namespace {

constexpr std::string_view kImStart = "<|im_start|>";
constexpr std::string_view kImEnd = "<|im_end|>";
constexpr std::string_view kImagePlaceholder = "<image>";

void checkTurn(const ChatTurn& turn)
{
    require(turn.role == "system" || turn.role == "user" || turn.role == "assistant", ErrorCode::InvalidArgument,
            "chat turn has unknown role '" + turn.role + "' (expected system, user or assistant)");
    require(turn.imageCount >= 0, ErrorCode::InvalidArgument, "chat turn has a negative image count");
}

// The turns as rendered: the default system turn first when the caller gave none.
std::vector<ChatTurn> withSystemTurn(const std::vector<ChatTurn>& turns, const ChatTemplateOptions& options)
{
    std::vector<ChatTurn> all;
    if ((turns.empty() || turns.front().role != "system") && !options.defaultSystemPrompt.empty()) {
        all.push_back({"system", options.defaultSystemPrompt, 0});
    }
    all.insert(all.end(), turns.begin(), turns.end());
    for (const auto& turn : all) {
        checkTurn(turn);
    }
    return all;
}

int32_t requireSpecial(const Tokenizer& tokenizer, std::string_view name)
{
    const auto id = tokenizer.tokenToId(name);
    require(id.has_value(), ErrorCode::InvalidConfig,
            "the tokenizer has no " + std::string(name) + " token, which the ChatML template needs");
    return *id;
}

void appendText(const Tokenizer& tokenizer, std::string_view text, std::vector<int64_t>& ids)
{
    for (const int32_t id : tokenizer.encode(text, {.parseSpecial = false, .addSpecial = false})) {
        ids.push_back(id);
    }
}

// Jinja string-literal escapes: \n, \t, \', \" and \\.
std::string unescapeJinja(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out.push_back(text[i]);
            continue;
        }
        const char next = text[++i];
        out.push_back(next == 'n' ? '\n' : next == 't' ? '\t' : next);
    }
    return out;
}

// The quote character of the string literal around pos, or 0 when pos is not inside one. Quotes
// count only inside {{ }} and {% %} blocks: text outside them is copied verbatim by Jinja.
char enclosingQuote(std::string_view text, std::size_t pos)
{
    bool inBlock = false;
    char quote = 0;
    for (std::size_t i = 0; i < pos; ++i) {
        const std::string_view two = text.substr(i, 2);
        if (!inBlock) {
            inBlock = two == "{{" || two == "{%";
            i += inBlock ? 1 : 0;
        } else if (quote != 0) {
            if (text[i] == '\\') {
                ++i;
            } else if (text[i] == quote) {
                quote = 0;
            }
        } else if (text[i] == '\'' || text[i] == '"') {
            quote = text[i];
        } else if (two == "}}" || two == "%}") {
            inBlock = false;
            ++i;
        }
    }
    return quote;
}

// The chat_template of a tokenizer_config.json: a string, or the entry named "default" of a list.
std::optional<std::string> templateOf(const nlohmann::json& config)
{
    if (!config.is_object() || !config.contains("chat_template")) {
        return std::nullopt;
    }
    const nlohmann::json& value = config["chat_template"];
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_array()) {
        for (const auto& entry : value) {
            if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template")
                && entry["template"].is_string()) {
                return entry["template"].get<std::string>();
            }
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> chatmlDefaultSystemPrompt(std::string_view jinja)
{
    const std::string_view opening = "<|im_start|>system";
    for (std::size_t at = jinja.find(opening); at != std::string_view::npos; at = jinja.find(opening, at + 1)) {
        const char quote = enclosingQuote(jinja, at);
        std::size_t start = at + opening.size();
        if (quote == 0) {
            continue;
        }
        if (jinja.substr(start, 1) == "\n") {
            start += 1;
        } else if (jinja.substr(start, 2) == "\\n") {
            start += 2;
        } else {
            continue;
        }
        const std::size_t end = jinja.find(kImEnd, start);
        if (end == std::string_view::npos) {
            continue;
        }
        const std::string_view body = jinja.substr(start, end - start);
        bool closesLiteral = false;
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body[i] == '\\') {
                ++i;
            } else if (body[i] == quote) {
                closesLiteral = true;
                break;
            }
        }
        if (!closesLiteral) {
            return unescapeJinja(body);
        }
    }
    return std::nullopt;
}

ChatTemplateOptions chatTemplateOptionsForModel(const std::string& modelDir, bool isVora)
{
    ChatTemplateOptions options;
    const std::string path = (std::filesystem::path(modelDir) / "tokenizer_config.json").string();
    if (isVora || !fileExists(path)) {
        return options;
    }
    const auto jinja = templateOf(readJsonFile(path));
    if (jinja && jinja->find(kImStart) != std::string::npos) {
        options.defaultSystemPrompt = chatmlDefaultSystemPrompt(*jinja).value_or("");
    }
    return options;
}

std::string renderChatPrompt(const std::vector<ChatTurn>& turns, const ChatTemplateOptions& options)
{
    std::string prompt;
    for (const auto& turn : withSystemTurn(turns, options)) {
        prompt.append(kImStart).append(turn.role).append("\n");
        for (int i = 0; i < turn.imageCount; ++i) {
            prompt.append(kImagePlaceholder);
        }
        prompt.append(turn.text).append(kImEnd).append("\n");
    }
    if (options.addGenerationPrompt) {
        prompt.append(kImStart).append("assistant\n");
    }
    return prompt;
}

std::vector<int64_t> buildChatPromptIds(const Tokenizer& tokenizer, const std::vector<ChatTurn>& turns,
                                        const ChatTemplateOptions& options)
{
    const int32_t imStart = requireSpecial(tokenizer, kImStart);
    const int32_t imEnd = requireSpecial(tokenizer, kImEnd);
    std::vector<int64_t> ids;
    // Text between two markers is encoded as one piece, as HF encodes the rendered prompt: the
    // pre-tokenizer would otherwise see different boundaries (e.g. "\n" + "\nHi" vs "\n\nHi").
    const std::vector<ChatTurn> all = withSystemTurn(turns, options);
    const size_t added = all.size() - turns.size(); // the default system turn
    for (size_t index = 0; index < all.size(); ++index) {
        const ChatTurn& turn = all[index];
        const auto answer = index >= added ? options.answerIds.find(index - added) : options.answerIds.end();
        ids.push_back(imStart);
        if (answer != options.answerIds.end() && !answer->second.empty()) {
            appendText(tokenizer, turn.role + "\n", ids);
            ids.insert(ids.end(), static_cast<std::size_t>(turn.imageCount), kImageSentinelId);
            ids.insert(ids.end(), answer->second.begin(), answer->second.end());
        } else if (turn.imageCount > 0) {
            appendText(tokenizer, turn.role + "\n", ids);
            ids.insert(ids.end(), static_cast<std::size_t>(turn.imageCount), kImageSentinelId);
            appendText(tokenizer, turn.text, ids);
        } else {
            appendText(tokenizer, turn.role + "\n" + turn.text, ids);
        }
        ids.push_back(imEnd);
        appendText(tokenizer, "\n", ids);
    }
    if (options.addGenerationPrompt) {
        ids.push_back(imStart);
        appendText(tokenizer, "assistant\n", ids);
    }
    return ids;
}

std::vector<int64_t> buildRawPromptIds(const Tokenizer& tokenizer, std::string_view rawPrompt)
{
    std::vector<std::vector<int32_t>> chunks;
    std::size_t pos = 0;
    while (true) {
        const std::size_t hit = rawPrompt.find(kImagePlaceholder, pos);
        const std::string_view chunk = rawPrompt.substr(pos, hit == std::string_view::npos ? hit : hit - pos);
        chunks.push_back(tokenizer.encode(chunk, {.parseSpecial = true, .addSpecial = true}));
        if (hit == std::string_view::npos) {
            break;
        }
        pos = hit + kImagePlaceholder.size();
    }
    std::vector<int64_t> ids;
    std::size_t offset = 0;
    const auto bos = tokenizer.bosId();
    if (!chunks.front().empty() && bos && chunks.front().front() == *bos) {
        offset = 1;
        ids.push_back(*bos);
    }
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        if (i > 0) {
            ids.push_back(kImageSentinelId);
        }
        const auto& chunk = chunks[i];
        for (std::size_t k = std::min(offset, chunk.size()); k < chunk.size(); ++k) {
            ids.push_back(chunk[k]);
        }
    }
    return ids;
}

} // namespace vora::core
