// Chat template rendering: a model's Jinja template text (its default system prompt is read out of
// it) and conversations of any text, rendered as ChatML and tokenized with the tiny ChatML tokenizer
// of the training tests (the real Qwen2 one takes 20 s of the few seconds' budget to load under
// ASan), images placed as sentinels; and raw prompts with special tokens parsed.
#include "core/chat/chat_template.h"
#include "fuzz_support.h"

#include <memory>

namespace {

const vora::core::Tokenizer& qwenTokenizer()
{
    static const std::unique_ptr<vora::core::Tokenizer> tokenizer
        = vora::core::Tokenizer::load(VORA_TEST_DATA_DIR "/training/base");
    return *tokenizer;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string input = vora::fuzz::text(data, size);
    const size_t split = input.find('\0');
    const std::string jinja = input.substr(0, split);
    const std::string conversation = split == std::string::npos ? std::string() : input.substr(split + 1);
    try {
        vora::core::ChatTemplateOptions options;
        options.defaultSystemPrompt = vora::core::chatmlDefaultSystemPrompt(jinja).value_or("You are a helpful assistant.");
        std::vector<vora::core::ChatTurn> turns;
        static const char* const kRoles[] = {"system", "user", "assistant", "user"};
        size_t start = 0;
        for (int i = 0; start <= conversation.size() && i < 16; ++i) {
            const size_t end = std::min(conversation.find('\n', start), conversation.size());
            const std::string piece = conversation.substr(start, end - start);
            turns.push_back({kRoles[i % 4], piece, piece.empty() ? 0 : static_cast<unsigned char>(piece[0]) % 3});
            start = end + 1;
        }
        (void)vora::core::renderChatPrompt(turns, options);
        (void)vora::core::buildChatPromptIds(qwenTokenizer(), turns, options);
        (void)vora::core::buildRawPromptIds(qwenTokenizer(), conversation);
    } catch (const vora::core::Error&) {
    }
    return 0;
}
