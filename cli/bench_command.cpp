// `vora bench`: load time, prefill, time to first token, decode speed and peak memory on a
// synthetic prompt (random text ids + one random image of N patch tokens), greedy, batch 1.
// Prints one JSON line, with the memory-bandwidth floor of decoding beside the measured speed
// (core/runtime/decode_floor.h). A benchmark, not a test: nothing here asserts a speed.
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/stats_json.h"
#include "core/error.h"
#include "core/generation/generator.h"
#include "core/model/vora_model.h"
#include "core/runtime/decode_floor.h"

#include <nlohmann/json.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
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

} // namespace

int runBench(const Arguments& args)
{
    const CommandLine line("vora bench --model DIR [--image-tokens N] [--prompt-tokens N] [--new-tokens N] "
                           "[--device DEV] [--dtype TYPE]",
                           kBenchOptions, args);
    core::ModelLoadOptions options;
    options.device = line.valueOr("device", "cpu");
    options.dtype = line.valueOr("dtype", "auto");
    const auto started = std::chrono::steady_clock::now();
    const auto model = core::VoraModel::load(line.required("model"), options);
    if (!line.has("unfused")) {
        model->decoder().fuseForInference();
    }
    const double loadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

    const int64_t imageTokens = line.integer("image-tokens").value_or(model->vision() ? 1024 : 0);
    const int64_t promptTokens = line.integer("prompt-tokens").value_or(64);
    const int newTokens = static_cast<int>(line.integer("new-tokens").value_or(128));
    const int repeat = static_cast<int>(std::max<long long>(1, line.integer("repeat").value_or(3)));
    if (promptTokens < 1 || imageTokens < 0 || newTokens < 1) {
        throw UsageError("--prompt-tokens and --new-tokens must be >= 1, --image-tokens >= 0");
    }
    core::GenerationHooks hooks;
    const std::string attention = line.valueOr("attention", "fused");
    if (attention != "fused" && attention != "explicit") {
        throw UsageError("--attention must be fused or explicit");
    }
    hooks.attention = attention == "fused" ? core::AttentionImpl::Fused : core::AttentionImpl::Explicit;

    const core::PromptInput prompt = syntheticPrompt(*model, promptTokens, imageTokens);
    core::SamplingParams greedy;
    greedy.temperature = 0;
    core::StopCriteria stop; // no eos: always decode newTokens
    stop.maxNewTokens = std::min(4, newTokens);
    {
        const c10::InferenceMode inference;
        core::generate(*model, core::assembleSequence(*model, prompt), greedy, stop, hooks); // warm-up
    }
    stop.maxNewTokens = newTokens;
    std::vector<double> prefill, firstToken, decode;
    core::GenerationStats last;
    for (int i = 0; i < repeat; ++i) {
        const c10::InferenceMode inference;
        const auto output = core::generate(*model, core::assembleSequence(*model, prompt), greedy, stop, hooks);
        prefill.push_back(output.stats.prefillMs);
        firstToken.push_back(output.stats.timeToFirstTokenMs);
        decode.push_back(output.stats.decodeTokensPerSecond);
        last = output.stats;
    }
    core::GenerationStats typical = last;
    typical.prefillMs = median(prefill);
    typical.timeToFirstTokenMs = median(firstToken);
    typical.decodeTokensPerSecond = median(decode);
    nlohmann::json out = statisticsJson(typical);
    out["model"] = line.required("model");
    out["device"] = model->device().str();
    out["dtype"] = core::dtypeDisplayName(model->dtype());
    out["parameters"] = model->report().parameterCount;
    out["load_ms"] = loadMs;
    out["attention"] = attention;
    out["runs"] = repeat;
    // The floor at the mean context of the decode; the bandwidth with decode's own thread count.
    const int64_t meanContext = last.promptTokens + newTokens / 2;
    const core::DecodeFloor floor = core::decodeFloor(model->config(), c10::elementSize(model->dtype()), meanContext,
                                                      core::measureReadBandwidth(model->device(), int64_t(1) << 30, 5));
    out["floor"] = {{"read_bytes_per_s", floor.readBytesPerSecond},
                    {"weight_bytes_per_token", floor.weightBytes},
                    {"kv_bytes_per_token", floor.kvBytes},
                    {"decode_tokens_per_s", floor.tokensPerSecond},
                    {"share_of_floor", typical.decodeTokensPerSecond / floor.tokensPerSecond}};
    std::cout << out.dump() << std::endl;
    return 0;
}

} // namespace vora::cli
