#pragma once
// The ChatML prompt of VoRA's Qwen2 models (docs/vora-format.md) as text and as token ids with
// image sentinels. Pure functions; thread-safe.
#include "core/tokenizer/tokenizer.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vora::core {

constexpr int64_t kImageSentinelId = -200;

struct ChatTurn {
    std::string role; // system | user | assistant
    std::string text;
    int imageCount = 0; // images of this turn, placed as <image> placeholders directly before the text
};

struct ChatTemplateOptions {
    std::string defaultSystemPrompt = "You are a helpful assistant."; // used when turns[0] is not a system turn
    bool addGenerationPrompt = true;
    // Answers as they were generated (TextResult::historyIds), keyed by the assistant turn's index in
    // `turns`: used verbatim instead of encoding the turn's text, so the next turn's prompt matches what a
    // ChatSession has cached, token for token. Turns without an entry are encoded from their text.
    std::map<size_t, std::vector<int64_t>> answerIds;
};

// The system prompt a ChatML Jinja chat template writes when the conversation has none: the text of
// a string literal '<|im_start|>system\n...<|im_end|>' (Jinja escapes undone). nullopt when the
// template writes no such default (or is not ChatML).
std::optional<std::string> chatmlDefaultSystemPrompt(std::string_view jinjaTemplate);

// The template options for a model folder. VoRA checkpoints: the reference prompt (docs/vora-format.md,
// "You are a helpful assistant."). Other models whose tokenizer_config.json has a ChatML
// chat_template: that template's default system prompt, or none when it writes none (as HF's
// apply_chat_template renders it). Otherwise the ChatTemplateOptions defaults.
// Throws Error(CorruptFile) naming the file when tokenizer_config.json is not valid JSON.
ChatTemplateOptions chatTemplateOptionsForModel(const std::string& modelDir, bool isVora);

// The prompt string with real special-token strings and "<image>" placeholders (for display/debug
// and for parity checks). Throws Error(InvalidArgument) on an unknown role or a negative imageCount.
std::string renderChatPrompt(const std::vector<ChatTurn>& turns, const ChatTemplateOptions& options = {});

// Token ids with kImageSentinelId where each image goes. Turn text is encoded with parseSpecial=false
// (text a user typed that looks like <|im_start|> stays text); the template's own markers are real
// special ids. Throws Error(InvalidConfig) when the tokenizer lacks <|im_start|> / <|im_end|>.
std::vector<int64_t> buildChatPromptIds(const Tokenizer& tokenizer, const std::vector<ChatTurn>& turns,
                                        const ChatTemplateOptions& options = {});

// For raw prompts (vora run --raw-prompt): split on "<image>", encode each chunk with
// parseSpecial=true and the tokenizer's BOS/EOS, join with sentinels; like LLaVA's
// tokenizer_image_token, a leading BOS is kept once and dropped from the later chunks.
std::vector<int64_t> buildRawPromptIds(const Tokenizer& tokenizer, std::string_view rawPrompt);

} // namespace vora::core
