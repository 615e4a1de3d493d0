// `vora run`: one generation from the command line, streaming text to stdout.
#include "cli/answer_summary.h"
#include "cli/attention_grids.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/generation_options.h"
#include "cli/stats_json.h"
#include "cli/stop_signal.h"
#include "core/error.h"
#include "core/generation/token_budget.h"
#include "core/runtime/attention_recorder.h"
#include "core/runtime/vora_engine.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>

namespace vora::cli {
namespace {

std::vector<OptionSpec> runOptions()
{
    std::vector<OptionSpec> specs = {
        {"model", true, "model folder (VoRA, Qwen2 or LLaMA checkpoint)", "DIR"},
        {"image", true, "image file or `vora preprocess` pixel file; repeat for several", "PATH"},
        {"prompt", true, "user message, put through the chat template", "TEXT"},
        {"raw-prompt", true, "prompt used verbatim (special tokens parsed, each <image> takes the next --image)", "TEXT"},
        {"system", true, "system prompt (default: the model's)", "TEXT"},
        {"device", true, "cpu, cuda or cuda:N (default cpu)", "DEV"},
        {"dtype", true, "auto, float32, bfloat16 or float16", "TYPE"},
        {"max-context", true, "context length in tokens (default: the model's, at most 32768)", "N"},
        {"attention", true, "fused (default) or explicit", "MODE"},
        {"no-merge-lora", false, "run lora_A/lora_B unmerged instead of merging at load"},
        {"json", false, "after the text, print one JSON line with text, token ids and stats"},
        {"dump-logits", true, "write prefill logits and input ids to a safetensors file (computed as the prefill is)", "FILE"},
        prefillOptionSpec(),
        {"attention-map", true, "write each generated token's attention over the image patches as JSON", "FILE"},
        {"attention-detail", true, "with --attention-map: mean (default), layers (+ per layer) or heads (+ per head)",
         "LEVEL"},
    };
    const auto& generation = generationOptionSpecs();
    specs.insert(specs.begin() + 5, generation.begin(), generation.end());
    return specs;
}

core::AttentionMode attentionMode(const std::string& text)
{
    if (text == "fused") {
        return core::AttentionMode::Fused;
    }
    if (text == "explicit") {
        return core::AttentionMode::Explicit;
    }
    throw UsageError("--attention must be fused or explicit");
}

void writeAttentionMap(const std::string& path, const core::AttentionRecorder& recorder,
                       const std::vector<core::PreparedImage>& images, const core::TextResult& result,
                       const core::Tokenizer& tokenizer)
{
    nlohmann::json out;
    for (size_t i = 0; i < recorder.images().size(); ++i) {
        const auto& span = recorder.images()[i];
        out["images"].push_back({{"source", i < images.size() ? images[i].source : std::string()},
                                 {"grid_height", span.gridHeight}, {"grid_width", span.gridWidth},
                                 {"first_position", span.start}});
    }
    const auto tokens = recorder.tokens();
    for (size_t i = 0; i < tokens.size() && i < result.tokenIds.size(); ++i) {
        const auto id = static_cast<int32_t>(result.tokenIds[i]);
        nlohmann::json token = {{"id", id}, {"text", tokenizer.decode({id}, false)},
                                {"image_share", tokens[i].imageShare}, {"grids", tokens[i].perImage}};
        if (recorder.detail() != core::AttentionDetail::Mean) {
            token["layers"] = tokens[i].layers;
        }
        if (recorder.detail() == core::AttentionDetail::Heads) {
            token["heads"] = tokens[i].heads;
        }
        out["tokens"].push_back(std::move(token));
    }
    if (recorder.detail() != core::AttentionDetail::Mean) {
        out["layer_indices"] = recorder.recordedLayers();
    }
    std::ofstream file(path);
    file << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    core::require(file.good(), core::ErrorCode::Io, "cannot write " + path);
}

// The answer's budget within the model's context; a prompt that fills it says what to change.
core::TokenBudget tokenBudget(const core::VoraEngine& engine, const core::PromptInput& prompt,
                              const core::GenerationSettings& settings)
{
    const int64_t positions = engine.promptPositions(prompt); // its own errors (e.g. images on a text model) as they are
    try {
        return core::fitTokenBudget(positions, engine.summary().maxContext, settings.stop.maxNewTokens);
    } catch (const core::Error& error) {
        throw core::Error(error.code(), std::string(error.what())
                                            + ". Shorten the prompt, pass fewer --image files, or raise --max-context "
                                              "if the model was trained for a longer context.");
    }
}

} // namespace

int runRun(const Arguments& args)
{
    const CommandLine line("vora run --model DIR [--image PATH]... (--prompt TEXT | --raw-prompt TEXT) [options]",
                           runOptions(), args);
    const std::string modelDir = line.required("model");
    if (line.has("prompt") == line.has("raw-prompt")) {
        throw UsageError("give exactly one of --prompt and --raw-prompt");
    }
    core::EngineOptions options;
    options.device = line.valueOr("device", "cpu");
    options.dtype = line.valueOr("dtype", "auto");
    options.attention = attentionMode(line.valueOr("attention", "fused"));
    options.mergeLora = !line.has("no-merge-lora");
    options.kernelPrefill = kernelPrefill(line);
    if (line.has("attention-detail") && !line.has("attention-map")) {
        throw UsageError("--attention-detail needs --attention-map");
    }
    const core::AttentionDetail detail = *parseAttentionDetail(line.valueOr("attention-detail", "mean"), "--attention-detail", false);
    if (const auto context = line.integer("max-context")) {
        if (*context < 1) {
            throw UsageError("--max-context must be at least 1");
        }
        options.maxContext = *context;
    }

    const auto loadStart = std::chrono::steady_clock::now();
    const auto engine = core::VoraEngine::load(modelDir, options);
    const double loadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - loadStart).count();

    std::vector<core::PreparedImage> images;
    for (const std::string& path : line.values("image")) {
        images.push_back(engine->prepareImage(path));
    }
    core::PromptInput prompt;
    if (line.has("prompt")) {
        std::vector<core::ChatTurn> turns;
        if (line.has("system")) {
            turns.push_back({"system", line.required("system"), 0});
        }
        turns.push_back({"user", line.required("prompt"), static_cast<int>(images.size())});
        prompt = engine->chatPrompt(turns, images);
    } else {
        prompt = engine->rawPrompt(line.required("raw-prompt"), images);
    }
    if (const auto path = line.value("dump-logits")) {
        engine->dumpPromptLogits(prompt, *path);
    }

    core::GenerationSettings settings = generationSettings(line, engine->summary().defaults);
    const core::TokenBudget budget = tokenBudget(*engine, prompt, settings);
    if (budget.clamped()) {
        std::cerr << "vora run: note: " << core::describeClampedBudget(budget) << " (--max-new-tokens, --max-context)\n";
    }
    settings.stop = core::withTokenBudget(settings.stop, budget);

    core::TextCallbacks callbacks;
    callbacks.onText = [](std::string_view piece) { std::cout << piece << std::flush; };
    callbacks.stopRequested = installStopSignalHandlers();
    core::AttentionRecorder recorder({}, detail);
    if (line.has("attention-map")) {
        callbacks.attention = &recorder;
    }
    const core::TextResult result = engine->generate(prompt, settings, callbacks);
    std::cout << "\n";
    if (const auto path = line.value("attention-map")) {
        writeAttentionMap(*path, recorder, images, result, engine->tokenizer());
    }

    const auto& s = result.stats;
    if (line.has("json")) {
        nlohmann::json out = statisticsJson(s);
        out["text"] = result.text;
        out["token_ids"] = result.tokenIds;
        out["load_ms"] = loadMs;
        out["device"] = engine->summary().device;
        out["decode_path"] = result.decodePath;
        out["dtype"] = engine->summary().dtype;
        out["max_new_tokens"] = budget.newTokens;
        out["max_new_tokens_requested"] = budget.requestedNewTokens;
        out["context_tokens"] = budget.contextTokens;
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        std::cerr << answerSummary(s, "load " + std::to_string(std::llround(loadMs)) + " ms, prefill "
                                          + std::to_string(std::llround(s.prefillMs)) + " ms (" + std::to_string(s.promptTokens) + " tokens)",
                                   " on " + engine->summary().device)
                  << "\n";
    }
    return s.stopReason == core::StopReason::Cancelled ? 130 : 0;
}

} // namespace vora::cli
