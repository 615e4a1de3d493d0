#include "core/chat/chat_template.h"

#include "core/error.h"

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

} // namespace

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
