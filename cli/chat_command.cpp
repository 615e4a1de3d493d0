// `vora chat`: a multi-turn conversation on stdin/stdout, for headless servers and scripts. Each input
// line is a user turn; "/image PATH" on a line of its own attaches an image to the next turn (--image
// attaches to the first). With --json-input each line is a JSON object {"text": ..., "images": [...]}, so
// a message may span lines. One ChatSession keeps the conversation's KV cache: each turn prefills only what
// the cache lacks (the previous answer's last token, the template's closing tokens, the new message);
// --no-reuse prefills every turn from scratch, for comparison (same tokens). Answers enter the history as
// the ids that were generated, never re-tokenised.
//
// Output: the answer streams to stdout (a stats line to stderr), or with --json one object per turn with
// text, token_ids, prefilled_tokens, stop_reason and the statistics keys of `vora run --json`.
// When the conversation plus room for an answer (max new tokens, at most a quarter of the context) no
// longer fits the model's context, the oldest exchanges are dropped (the system prompt stays), a notice
// goes to stderr, and the rest is prefilled again. A turn that fails (an unreadable image, bad JSON) is
// reported and left out of the conversation; the exit code is then 1 at the end. Ctrl+C stops the
// current answer and ends the chat (exit 130).
#include "cli/answer_summary.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/generation_options.h"
#include "cli/stats_json.h"
#include "cli/stop_signal.h"
#include "core/error.h"
#include "core/generation/token_budget.h"
#include "core/runtime/vora_engine.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>
#include <string>

namespace vora::cli {
namespace {

std::vector<OptionSpec> chatOptions()
{
    std::vector<OptionSpec> specs = {
        {"model", true, "model folder (VoRA, Qwen2 or LLaMA checkpoint)", "DIR"},
        {"image", true, "image for the first turn; repeat for several", "PATH"},
        {"system", true, "system prompt (default: the model's)", "TEXT"},
        {"device", true, "cpu, cuda or cuda:N (default cpu)", "DEV"},
        {"dtype", true, "auto, float32, bfloat16 or float16", "TYPE"},
        {"json", false, "one JSON object per turn instead of streamed text"},
        {"json-input", false, "read one JSON object per line: {\"text\": ..., \"images\": [...]}"},
        {"no-reuse", false, "prefill the whole conversation every turn (for comparison)"},
    };
    const auto& generation = generationOptionSpecs();
    specs.insert(specs.end(), generation.begin(), generation.end());
    return specs;
}

struct Exchange {
    std::string user;
    std::vector<core::PreparedImage> images;
    bool answered = false;
    std::string answer;
    std::vector<int64_t> answerIds; // as generated (TextResult::historyIds)
};

struct UserMessage {
    std::string text;
    std::vector<std::string> images;
};

class Conversation {
public:
    Conversation(core::VoraEngine& engine, std::string system) : m_engine(engine), m_system(std::move(system)) {}

    void add(Exchange exchange) { m_exchanges.push_back(std::move(exchange)); }
    void dropLast() { m_exchanges.pop_back(); }
    Exchange& last() { return m_exchanges.back(); }

    core::PromptInput prompt() const
    {
        std::vector<core::ChatTurn> turns;
        std::vector<core::PreparedImage> images;
        core::ChatTemplateOptions options = m_engine.chatTemplateOptions();
        if (!m_system.empty()) {
            turns.push_back({"system", m_system, 0});
        }
        for (const Exchange& exchange : m_exchanges) {
            turns.push_back({"user", exchange.user, static_cast<int>(exchange.images.size())});
            images.insert(images.end(), exchange.images.begin(), exchange.images.end());
            if (exchange.answered) {
                options.answerIds[turns.size()] = exchange.answerIds;
                turns.push_back({"assistant", exchange.answer, 0});
            }
        }
        return m_engine.chatPrompt(turns, images, options);
    }

    // Drops the oldest exchanges until the prompt and `reserve` answer positions fit; returns how many.
    // Throws Error(InvalidArgument) when the newest message alone does not fit.
    int fit(int64_t reserve)
    {
        const int64_t context = m_engine.summary().maxContext;
        int dropped = 0;
        while (m_engine.promptPositions(prompt()) + reserve > context) {
            if (m_exchanges.size() == 1) {
                core::require(m_engine.promptPositions(prompt()) < context, core::ErrorCode::InvalidArgument,
                              "this message needs more than the model's context of " + std::to_string(context)
                                  + " positions: shorten it or attach fewer or smaller images");
                break; // it fits, with a shorter budget than asked for
            }
            m_exchanges.erase(m_exchanges.begin());
            ++dropped;
        }
        return dropped;
    }

private:
    core::VoraEngine& m_engine;
    std::string m_system;
    std::vector<Exchange> m_exchanges;
};

// One line of input: a message, an image for the next message (pendingImages), or nothing.
std::optional<UserMessage> parseLine(const std::string& line, bool jsonInput, std::vector<std::string>& pendingImages)
{
    if (jsonInput) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            return std::nullopt;
        }
        nlohmann::json object;
        try {
            object = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& error) {
            throw core::Error(core::ErrorCode::InvalidArgument, std::string("input line is not JSON: ") + error.what());
        }
        core::require(object.is_object() && object.contains("text") && object["text"].is_string(),
                      core::ErrorCode::InvalidArgument, "input line needs a \"text\" string");
        UserMessage message{object["text"].get<std::string>(), pendingImages};
        if (object.contains("images")) {
            core::require(object["images"].is_array(), core::ErrorCode::InvalidArgument, "\"images\" must be an array of paths");
            for (const auto& path : object["images"]) {
                core::require(path.is_string(), core::ErrorCode::InvalidArgument, "\"images\" must be an array of paths");
                message.images.push_back(path.get<std::string>());
            }
        }
        pendingImages.clear();
        return message;
    }
    const std::string text = line.size() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line;
    if (text.rfind("/image ", 0) == 0) {
        pendingImages.push_back(text.substr(7));
        return std::nullopt;
    }
    if (text.empty()) {
        return std::nullopt;
    }
    UserMessage message{text, pendingImages};
    pendingImages.clear();
    return message;
}

void report(const std::string& message, bool json)
{
    if (json) {
        std::cout << nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << std::endl;
    }
    std::cerr << "vora chat: " << message << "\n";
}

} // namespace

int runChat(const Arguments& args)
{
    const CommandLine line("vora chat --model DIR [--image PATH]... [--system TEXT] [--json] [--json-input] "
                           "[--no-reuse] [generation options]",
                           chatOptions(), args);
    core::EngineOptions options;
    options.device = line.valueOr("device", "cpu");
    options.dtype = line.valueOr("dtype", "auto");
    const auto engine = core::VoraEngine::load(line.required("model"), options);
    const core::GenerationSettings settings = generationSettings(line, engine->summary().defaults);
    const bool json = line.has("json");
    const bool jsonInput = line.has("json-input");
    const auto session = engine->openSession(!line.has("no-reuse"));
    const auto* stopRequested = installStopSignalHandlers();
    const int64_t reserve = std::min<int64_t>(settings.stop.maxNewTokens, engine->summary().maxContext / 4);

    Conversation conversation(*engine, line.valueOr("system", ""));
    std::vector<std::string> pendingImages = line.values("image");
    bool failed = false;
    std::string input;
    while (std::getline(std::cin, input)) {
        bool pending = false; // a message added but not answered: dropped when its turn fails
        try {
            const std::optional<UserMessage> message = parseLine(input, jsonInput, pendingImages);
            if (!message) {
                continue;
            }
            Exchange exchange;
            exchange.user = message->text;
            for (const std::string& path : message->images) {
                exchange.images.push_back(engine->prepareImage(path));
            }
            conversation.add(std::move(exchange));
            pending = true;
            const int dropped = conversation.fit(reserve);
            if (dropped > 0) {
                std::cerr << "vora chat: the conversation outgrew the context of " << engine->summary().maxContext
                          << " positions; dropped the oldest " << dropped << " exchange(s)\n";
            }
            core::TextCallbacks callbacks;
            callbacks.stopRequested = stopRequested;
            if (!json) {
                callbacks.onText = [](std::string_view piece) { std::cout << piece << std::flush; };
            }
            // As `vora run`: a budget the context cannot hold is lowered with a note (the effective value in --json).
            const core::TokenBudget budget = core::fitTokenBudget(engine->promptPositions(conversation.prompt()),
                                                                  engine->summary().maxContext, settings.stop.maxNewTokens);
            if (budget.clamped()) {
                std::cerr << "vora chat: note: " << core::describeClampedBudget(budget) << " (--max-new-tokens, --max-context)\n";
            }
            core::GenerationSettings turnSettings = settings;
            turnSettings.stop = core::withTokenBudget(settings.stop, budget);
            const core::TextResult result = engine->generate(*session, conversation.prompt(), turnSettings, callbacks);
            conversation.last().answered = true;
            conversation.last().answer = result.text;
            conversation.last().answerIds = result.historyIds;
            pending = false;
            const auto& s = result.stats;
            if (json) {
                nlohmann::json out = statisticsJson(s);
                out["text"] = result.text;
                out["token_ids"] = result.tokenIds;
                out["prefilled_tokens"] = result.prefilledTokens;
                out["decode_path"] = result.decodePath;
                out["max_new_tokens"] = budget.newTokens;
                out["max_new_tokens_requested"] = budget.requestedNewTokens;
                out["context_tokens"] = budget.contextTokens;
                std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
            } else {
                std::cout << std::endl;
                std::cerr << answerSummary(s, "prefilled " + std::to_string(result.prefilledTokens) + " of "
                                                  + std::to_string(s.promptTokens) + " positions")
                          << "\n";
            }
            if (s.stopReason == core::StopReason::Cancelled) {
                return 130;
            }
        } catch (const core::Error& error) {
            if (pending) {
                conversation.dropLast();
            }
            report(std::string(core::errorCodeName(error.code())) + ": " + error.what(), json);
            failed = true;
        }
    }
    return failed ? 1 : 0;
}

} // namespace vora::cli
