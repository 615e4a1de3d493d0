// `vora bench`: load time, prefill, time to first token, decode speed and peak memory on a
// synthetic prompt (random text ids + one random image of N patch tokens), greedy, batch 1; then a
// second turn in the same ChatSession (the answer plus a short follow-up, the image still in the cache)
// for the second-turn time to first token. Prints one JSON line per decode mode, with the
// memory-bandwidth floor of decoding beside the measured speed (core/runtime/decode_floor.h).
// A benchmark, not a test: nothing here asserts a speed.
#include "cli/attention_grids.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/generation_options.h"
#include "cli/stats_json.h"
#include "cli/trace_recording.h"
#include "core/error.h"
#include "core/device/cuda_devices.h"
#include "core/generation/chat_session.h"
#include "core/generation/decode_graphs.h"
#include "core/generation/generator.h"
#include "core/model/vora_model.h"
#include "core/runtime/attention_recorder.h"
#include "core/runtime/decode_floor.h"

#include <nlohmann/json.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <random>

namespace vora::cli {
namespace {

const std::vector<OptionSpec> kBenchOptions = {
    {"model", true, "model folder", "DIR"},
    {"image-tokens", true, "patch tokens of the synthetic image (default 1024 for VoRA models, else 0)", "N"},
    {"prompt-tokens", true, "text tokens in the prompt (default 64)", "N"},
    {"new-tokens", true, "tokens to decode (default 128)", "N"},
    {"repeat", true, "measured runs; the median is reported (default 3)", "N"},
    {"device", true, "cpu, cuda or cuda:N", "DEV"},
    {"dtype", true, "auto, float32, bfloat16 or float16", "TYPE"},
    {"attention", true, "fused (default) or explicit", "MODE"},
    {"unfused", false, "keep q/k/v and gate/up as separate projections (to measure the fusion)"},
    {"decode", true, "graph (default on CUDA: one CUDA graph per step), eager, or both (one line each)", "MODE"},
    {"gemv", true, "matrix-vector product of graph decoding: auto (default), vora or cublas", "IMPL"},
    {"launch-overlap", true, "on (default): each kernel of a graph step may start while the previous one ends "
                             "(Hopper and later); off: to measure what that saves", "on|off"},
    prefillOptionSpec(),
    {"follow-up-tokens", true, "text tokens of the second turn (default 20)", "N"},
    {"trace", true, "after the timed runs, record one more (untimed) two-turn run of the first decode mode as a "
                    "Chrome trace: host operators, the runtime's phases and, on CUDA, every kernel", "PATH"},
    {"capture-attention", true, "off (default), mean, layers or heads: record every token's attention over the "
                                "image as vora run --attention-map does at that detail, to measure what it costs", "DETAIL"},
};

// A patch grid of exactly n tokens, as square as n allows.
std::pair<int, int> gridFor(int64_t n)
{
    auto rows = static_cast<int>(std::sqrt(static_cast<double>(n)));
    while (rows > 1 && n % rows != 0) {
        --rows;
    }
    return {rows, static_cast<int>(n / rows)};
}

core::PromptInput syntheticPrompt(const core::VoraModel& model, int64_t textTokens, int64_t imageTokens)
{
    std::mt19937_64 random(1234);
    std::uniform_int_distribution<int64_t> ids(10, std::min<int64_t>(model.config().vocabSize, 100000) - 1);
    core::PromptInput prompt;
    for (int64_t i = 0; i < textTokens; ++i) {
        prompt.ids.push_back(ids(random));
        if (i == std::min<int64_t>(7, textTokens - 1) && imageTokens > 0) {
            prompt.ids.push_back(core::kImageTokenSentinel);
        }
    }
    if (imageTokens > 0) {
        core::require(model.vision().has_value(), core::ErrorCode::InvalidArgument,
                      "--image-tokens needs a VoRA model with a vision embedding");
        const auto [rows, cols] = gridFor(imageTokens);
        const int patch = model.vision()->patchSize;
        core::ImagePixels image;
        image.height = rows * patch;
        image.width = cols * patch;
        image.chw.resize(size_t(3) * image.height * image.width);
        std::normal_distribution<float> pixel(0.f, 1.f);
        for (float& v : image.chw) {
            v = pixel(random);
        }
        prompt.images.push_back(std::move(image));
    }
    return prompt;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

core::DecodeGemv gemvOf(const std::string& text)
{
    if (text == "auto") {
        return core::DecodeGemv::Auto;
    }
    if (text == "vora") {
        return core::DecodeGemv::Vora;
    }
    if (text == "cublas") {
        return core::DecodeGemv::Cublas;
    }
    throw UsageError("--gemv must be auto, vora or cublas");
}

bool onOff(const std::string& text, const char* flag)
{
    if (text != "on" && text != "off") {
        throw UsageError(std::string(flag) + " must be on or off");
    }
    return text == "on";
}

std::string deviceName(const core::VoraModel& model)
{
    if (model.device().is_cuda()) {
        for (const core::ComputeDevice& device : core::cudaDevices()) {
            if (device.id == model.device().str() || (device.id == "cuda:0" && model.device().str() == "cuda")) {
                return device.name;
            }
        }
    }
    return model.device().str();
}

nlohmann::json floorJson(const core::DecodeFloor& floor, double decodeTokensPerSecond)
{
    return {{"read_bytes_per_s", floor.readBytesPerSecond},
            {"weight_bytes_per_token", floor.weightBytes},
            {"kv_bytes_per_token", floor.kvBytes},
            {"decode_tokens_per_s", floor.tokensPerSecond},
            {"share_of_floor", decodeTokensPerSecond / floor.tokensPerSecond}};
}

} // namespace

int runBench(const Arguments& args)
{
    const CommandLine line("vora bench --model DIR [--image-tokens N] [--prompt-tokens N] [--new-tokens N] "
                           "[--device DEV] [--dtype TYPE] [--decode graph|eager] [--gemv IMPL] [--launch-overlap on|off] "
                           "[--prefill kernels|eager] [--capture-attention DETAIL] [--trace PATH]",
                           kBenchOptions, args);
    // Every size is checked before anything is loaded or allocated.
    constexpr long long kMaxTokens = std::numeric_limits<int>::max();
    const std::optional<long long> imageTokensFlag = line.integerIn("image-tokens", 0, kMaxTokens);
    const int64_t promptTokens = line.integerIn("prompt-tokens", 1, kMaxTokens).value_or(64);
    const int newTokens = static_cast<int>(line.integerIn("new-tokens", 1, kMaxTokens).value_or(128));
    const int repeat = static_cast<int>(line.integerIn("repeat", 1, 1000).value_or(3));
    const int64_t followUpTokens = line.integerIn("follow-up-tokens", 1, kMaxTokens).value_or(20);
    const std::string attention = line.valueOr("attention", "fused");
    if (attention != "fused" && attention != "explicit") {
        throw UsageError("--attention must be fused or explicit");
    }
    core::ModelLoadOptions options;
    options.device = line.valueOr("device", "cpu");
    options.dtype = line.valueOr("dtype", "auto");
    const core::ModelConfig config = core::loadModelConfig(line.required("model"));
    const int64_t imageTokens = imageTokensFlag.value_or(config.isVora() ? 1024 : 0);
    const int64_t context = config.defaultContext();
    constexpr int kSecondTurnTokens = 4;
    if (promptTokens + imageTokens + newTokens + followUpTokens + kSecondTurnTokens > context) {
        throw UsageError("--prompt-tokens " + std::to_string(promptTokens) + " + --image-tokens " + std::to_string(imageTokens)
                         + " + --new-tokens " + std::to_string(newTokens) + " + --follow-up-tokens "
                         + std::to_string(followUpTokens) + " + " + std::to_string(kSecondTurnTokens)
                         + " second-turn tokens exceed the model's context of " + std::to_string(context) + " positions");
    }
    core::DecodeGraphOptions graphOptions; // checked here on every device, used on CUDA ones
    graphOptions.gemv = gemvOf(line.valueOr("gemv", "auto"));
    graphOptions.overlapLaunches = onOff(line.valueOr("launch-overlap", "on"), "--launch-overlap");
    graphOptions.kernelPrefill = kernelPrefill(line);
    const std::string captureText = line.valueOr("capture-attention", "off");
    const std::optional<core::AttentionDetail> captureDetail = parseAttentionDetail(captureText, "--capture-attention", true);
    const std::optional<std::string> tracePath = line.value("trace");
    if (tracePath) {
        // Refused before the model loads: a path that cannot be written loses no run. The probe appends
        // nothing and leaves no file behind, so a run that fails later has not touched the path.
        std::error_code ignored;
        const bool existed = std::filesystem::exists(*tracePath, ignored);
        const bool writable = std::ofstream(*tracePath, std::ios::app).good();
        if (!existed) {
            std::filesystem::remove(*tracePath, ignored);
        }
        core::require(writable, core::ErrorCode::Io, "cannot write the trace to " + *tracePath);
    }
    const auto started = std::chrono::steady_clock::now();
    const auto model = core::VoraModel::load(line.required("model"), options);
    if (!line.has("unfused")) {
        model->decoder().fuseForInference();
    }
    const std::string decode = line.valueOr("decode", "graph");
    if (decode != "graph" && decode != "eager" && decode != "both") {
        throw UsageError("--decode must be graph, eager or both");
    }
    std::unique_ptr<core::DecodeGraphs> graphs;
    std::string whyNoGraphs = "not a CUDA device";
    if (decode != "eager" && model->device().is_cuda()) {
        graphs = core::makeDecodeGraphs(*model, graphOptions, &whyNoGraphs);
    }
    // Graph setup counts as loading: an engine does it at load too.
    const double loadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

    core::GenerationHooks hooks;
    hooks.attention = attention == "fused" ? core::AttentionImpl::Fused : core::AttentionImpl::Explicit;

    const core::PromptInput prompt = syntheticPrompt(*model, promptTokens, imageTokens);
    const core::PromptInput followUpText = syntheticPrompt(*model, followUpTokens, 0);
    core::SamplingParams greedy;
    greedy.temperature = 0;
    core::StopCriteria stop; // no eos: always decode newTokens
    std::optional<core::AttentionRecorder> recorder;
    if (captureDetail) {
        recorder.emplace(std::vector<int>{}, *captureDetail);
    }
    size_t capturedTokens = 0;
    // As the engine records: the image spans of the whole prompt, the prefill's row and every decode step's.
    auto generate = [&](core::ChatSession& session, const core::PromptInput& input, bool capture) {
        core::GenerationHooks turn = hooks;
        if (capture) {
            recorder->begin(*model, input, turn);
        }
        return session.generate(input, greedy, stop, turn);
    };
    auto twoTurns = [&](core::DecodeGraphs* decoder, int firstTurnTokens, bool capture) {
        core::ChatSession session(*model, decoder);
        stop.maxNewTokens = firstTurnTokens;
        const core::GenerationOutput first = generate(session, prompt, capture);
        if (capture) {
            capturedTokens = recorder->tokens().size(); // the copy back, after the timed decode
        }
        core::PromptInput next = prompt;
        next.ids.insert(next.ids.end(), first.tokens.begin(), first.tokens.end());
        next.ids.insert(next.ids.end(), followUpText.ids.begin(), followUpText.ids.end());
        stop.maxNewTokens = kSecondTurnTokens;
        const core::GenerationOutput second = generate(session, next, capture);
        return std::make_pair(first, second);
    };
    std::vector<std::pair<core::DecodeGraphs*, bool>> modes; // (decoder, graphs asked for)
    if (decode != "eager") {
        modes.emplace_back(graphs.get(), true); // null when graphs are unavailable: decode_path says why
    }
    if (decode != "graph") {
        modes.emplace_back(nullptr, false);
    }
    // The floor at the mean context of the decode; the bandwidth with decode's own thread count.
    const core::DecodeFloor floor = core::decodeFloor(model->config(), c10::elementSize(model->dtype()),
                                                      promptTokens + imageTokens + newTokens / 2,
                                                      core::measureReadBandwidth(model->device(), int64_t(1) << 30, 5));
    for (const auto& [decoder, graphsAsked] : modes) {
        // Warm-up: kernels loaded, decode graphs captured (with and without the attention capture).
        twoTurns(decoder, std::min(4, newTokens), recorder.has_value());
        if (recorder) {
            twoTurns(decoder, std::min(4, newTokens), false);
        }
        std::vector<double> prefill, firstToken, decodeRate, secondFirstToken, decodeRateWithoutCapture;
        core::GenerationOutput last;
        int64_t secondPrefilled = 0;
        for (int i = 0; i < repeat; ++i) {
            if (recorder) {
                // The same decoder without the capture, interleaved: its cost on the same kernels and clocks.
                decodeRateWithoutCapture.push_back(twoTurns(decoder, newTokens, false).first.stats.decodeTokensPerSecond);
            }
            const auto [first, second] = twoTurns(decoder, newTokens, recorder.has_value());
            prefill.push_back(first.stats.prefillMs);
            firstToken.push_back(first.stats.timeToFirstTokenMs);
            decodeRate.push_back(first.stats.decodeTokensPerSecond);
            secondFirstToken.push_back(second.stats.timeToFirstTokenMs);
            secondPrefilled = second.prefilledTokens;
            last = first;
        }
        const std::string decodePath = graphsAsked && !decoder ? "eager (" + whyNoGraphs + ")" : last.decodePath;
        core::GenerationStats typical = last.stats;
        typical.prefillMs = median(prefill);
        typical.timeToFirstTokenMs = median(firstToken);
        typical.decodeTokensPerSecond = median(decodeRate);
        nlohmann::json out = statisticsJson(typical);
        out["model"] = line.required("model");
        out["device"] = model->device().str();
        out["device_name"] = deviceName(*model);
        out["dtype"] = core::dtypeDisplayName(model->dtype());
        out["parameters"] = model->report().parameterCount;
        out["load_ms"] = loadMs;
        out["second_turn_time_to_first_token_ms"] = median(secondFirstToken);
        out["second_turn_prefilled_tokens"] = secondPrefilled;
        out["attention"] = attention;
        out["attention_capture"] = captureText;
        if (recorder) {
            out["attention_captured_tokens"] = capturedTokens; // of the last first turn
            const double without = median(decodeRateWithoutCapture);
            out["decode_tokens_per_s_without_capture"] = without;
            out["attention_capture_decode_time_increase"] = without / typical.decodeTokensPerSecond - 1;
        }
        out["decode_path"] = decodePath;
        out["prefill_path"] = last.prefillPath;
        out["runs"] = repeat;
        out["floor"] = floorJson(floor, typical.decodeTokensPerSecond);
        if (tracePath && &decoder == &modes.front().first) { // the first mode only
            TraceRecording trace(model->device().is_cuda());
            twoTurns(decoder, newTokens, recorder.has_value());
            trace.saveTo(*tracePath);
            out["trace"] = *tracePath;
        }
        std::cout << out.dump() << std::endl;
    }
    return 0;
}

} // namespace vora::cli
