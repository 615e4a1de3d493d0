// `vora attention`: one greedy-by-default generation with its attention over the images, written as PNG
// overlays on the ORIGINAL images (one per generated token and image, plus a contact sheet per image)
// and a JSON of the grids. Aggregates: mean (over the layer range and heads, from the decode-time
// capture), max (heads combined by max, then the mean over the layer range), rollout (an explicit
// re-prefill, core/attention/reprefill_attention.h). --token-position adds the map of one prompt
// position (e.g. a word of the question). docs/attention-maps.md describes the values.
#include "cli/attention_grids.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "cli/generation_options.h"
#include "cli/stop_signal.h"
#include "core/attention/attention_overlay_image.h"
#include "core/error.h"
#include "core/generation/token_budget.h"
#include "core/image/image_decoder.h"
#include "core/image/model_image.h"
#include "core/image/png_writer.h"
#include "core/runtime/attention_recorder.h"
#include "core/runtime/vora_engine.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>

namespace vora::cli {
namespace {

constexpr int kSheetColumns = 8;
constexpr int kSheetTileWidth = 192;

std::vector<OptionSpec> attentionOptions()
{
    std::vector<OptionSpec> specs = {
        {"model", true, "VoRA model folder", "DIR"},
        {"image", true, "image file; repeat for several (the overlay is drawn over it)", "PATH"},
        {"prompt", true, "user message, put through the chat template", "TEXT"},
        {"system", true, "system prompt (default: the model's)", "TEXT"},
        {"out-dir", true, "folder for the PNG overlays and attention.json (created)", "DIR"},
        {"layers", true, "decoder layers A-B (or A) to aggregate or roll out (default: all)", "RANGE"},
        {"aggregate", true, "mean (default), max (over heads) or rollout", "HOW"},
        {"token-position", true, "also map this prompt position (as in the JSON's first_position numbering)", "N"},
        {"opacity", true, "overlay opacity, 0-1 (default 0.6)", "X"},
        {"device", true, "cpu, cuda or cuda:N (default cpu)", "DEV"},
        {"dtype", true, "auto, float32, bfloat16 or float16", "TYPE"},
    };
    const auto& generation = generationOptionSpecs();
    specs.insert(specs.end(), generation.begin(), generation.end());
    return specs;
}

core::LayerRange parseLayers(const std::string& text)
{
    int first = 0;
    int last = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%d-%d%c", &first, &last, &tail) == 2 && first >= 0 && first <= last) {
        return {first, last};
    }
    if (std::sscanf(text.c_str(), "%d%c", &first, &tail) == 1 && first >= 0 && text.find('-') == std::string::npos) {
        return {first, first};
    }
    throw UsageError("--layers must be A-B or A with 0 <= A <= B, got '" + text + "'");
}

void writeOverlays(const std::string& outDir, const std::string& stem, const std::vector<core::ImageGrids>& grids,
                   const std::vector<core::DecodedImage>& originals, const std::vector<core::PreparedImage>& images,
                   double opacity, bool perToken)
{
    core::OverlayOptions options;
    options.opacity = opacity;
    for (size_t j = 0; j < images.size(); ++j) {
        std::vector<core::DecodedImage> tiles;
        for (size_t i = 0; i < grids.size(); ++i) {
            tiles.push_back(core::renderAttentionOverlay(originals[j], images[j].geometry, grids[i][j], options));
            char number[24];
            std::snprintf(number, sizeof number, "_%03zu", i);
            const std::string name = stem + (perToken ? number : "") + "_image_" + std::to_string(j) + ".png";
            core::writePng(tiles.back(), outDir + "/" + name);
        }
        if (perToken && !tiles.empty()) {
            core::writePng(core::contactSheet(tiles, kSheetColumns, kSheetTileWidth),
                           outDir + "/contact_sheet_image_" + std::to_string(j) + ".png");
        }
    }
}

} // namespace

int runAttention(const Arguments& args)
{
    const CommandLine line("vora attention --model DIR --image PATH [--image PATH]... --prompt TEXT --out-dir DIR "
                           "[--layers A-B] [--aggregate mean|max|rollout] [--token-position N] [options]",
                           attentionOptions(), args);
    const std::string modelDir = line.required("model");
    const std::string outDir = line.required("out-dir");
    const std::string prompt = line.required("prompt");
    const std::vector<std::string> paths = line.values("image");
    if (paths.empty()) {
        throw UsageError("give at least one --image");
    }
    for (const std::string& path : paths) {
        if (core::isPixelFile(path)) {
            throw UsageError(path + " is a pixel file; overlays need the original image file");
        }
    }
    const Aggregate aggregate = parseAggregate(line.valueOr("aggregate", "mean"));
    const std::optional<core::LayerRange> layers =
        line.has("layers") ? std::optional(parseLayers(line.required("layers"))) : std::nullopt;
    const std::optional<long long> position = line.integerIn("token-position", 0, std::numeric_limits<int32_t>::max());
    const double opacity = line.number("opacity").value_or(0.6);
    if (opacity < 0 || opacity > 1) {
        throw UsageError("--opacity must be between 0 and 1");
    }

    core::EngineOptions options;
    options.device = line.valueOr("device", "cpu");
    options.dtype = line.valueOr("dtype", "auto");
    const auto engine = core::VoraEngine::load(modelDir, options);
    if (!engine->summary().hasVision) {
        throw core::Error(core::ErrorCode::InvalidArgument, modelDir + " is a text-only model: no image attention");
    }
    std::vector<core::PreparedImage> images;
    std::vector<core::DecodedImage> originals;
    for (const std::string& path : paths) {
        images.push_back(engine->prepareImage(path));
        originals.push_back(core::decodeImageFile(path));
    }
    const int layerCount = engine->summary().layers;
    const core::LayerRange range = layers.value_or(core::LayerRange{0, layerCount - 1});
    if (range.last >= layerCount) {
        throw UsageError("--layers " + std::to_string(range.first) + "-" + std::to_string(range.last)
                         + ": the model has layers 0-" + std::to_string(layerCount - 1));
    }
    std::vector<core::ChatTurn> turns;
    if (line.has("system")) {
        turns.push_back({"system", line.required("system"), 0});
    }
    turns.push_back({"user", prompt, static_cast<int>(images.size())});
    const core::PromptInput input = engine->chatPrompt(turns, images);
    const int64_t promptLength = engine->promptPositions(input);
    if (position && *position >= promptLength) {
        throw UsageError("--token-position " + std::to_string(*position) + " is outside the prompt's "
                         + std::to_string(promptLength) + " positions");
    }

    core::GenerationSettings settings = generationSettings(line, engine->summary().defaults);
    settings.stop = core::withTokenBudget(
        settings.stop, core::fitTokenBudget(promptLength, engine->summary().maxContext, settings.stop.maxNewTokens));
    core::AttentionRecorder recorder({}, aggregate == Aggregate::Max ? core::AttentionDetail::Heads
                                                                      : core::AttentionDetail::Layers);
    core::TextCallbacks callbacks;
    callbacks.stopRequested = installStopSignalHandlers();
    callbacks.attention = &recorder;
    const core::TextResult result = engine->generate(input, settings, callbacks);
    if (result.stats.stopReason == core::StopReason::Cancelled) {
        return 130;
    }

    std::shared_ptr<const core::ReprefillAttention> reprefill;
    if (aggregate == Aggregate::Rollout || position) {
        core::ReprefillRequest request{input, result.tokenIds, {}, range};
        if (position) {
            request.promptPositions = {static_cast<int64_t>(*position)};
        }
        reprefill = engine->reprefillAttention(request);
    }
    const std::vector<core::TokenAttention> tokens = recorder.tokens();
    const std::vector<core::ImageGrids> tokenGrids = aggregatedGrids(tokens, aggregate, range, reprefill.get());

    std::filesystem::create_directories(outDir);
    writeOverlays(outDir, "token", tokenGrids, originals, images, opacity, true);
    nlohmann::json out = {{"aggregate", aggregateName(aggregate)},
                          {"layers", {range.first, range.last}},
                          {"prompt_length", promptLength},
                          {"text", result.text}};
    for (size_t j = 0; j < images.size(); ++j) {
        const auto& span = recorder.images()[j];
        out["images"].push_back({{"source", images[j].source}, {"width", originals[j].width},
                                 {"height", originals[j].height}, {"grid_height", span.gridHeight},
                                 {"grid_width", span.gridWidth}, {"first_position", span.start}});
    }
    out["tokens"] = nlohmann::json::array();
    for (size_t i = 0; i < tokenGrids.size(); ++i) {
        const auto id = static_cast<int32_t>(result.tokenIds[i]);
        out["tokens"].push_back({{"id", id}, {"text", engine->tokenizer().decode({id}, false)},
                                 {"query_position", tokens[i].queryPosition}, {"image_share", tokens[i].imageShare},
                                 {"grids", tokenGrids[i]}});
    }
    if (position) {
        const std::vector<core::ImageGrids> grids = {promptPositionGrids(*reprefill, aggregate, range)};
        writeOverlays(outDir, "position_" + std::to_string(*position), grids, originals, images, opacity, false);
        out["prompt_position"] = {{"position", *position}, {"image_share", reprefill->promptPositions[0].imageShare},
                                  {"grids", grids[0]}};
    }
    const std::string jsonPath = outDir + "/attention.json";
    std::ofstream file(jsonPath);
    file << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    core::require(file.good(), core::ErrorCode::Io, "cannot write " + jsonPath);
    std::cerr << "vora attention: " << tokenGrids.size() << " tokens, " << images.size() << " image(s), "
              << aggregateName(aggregate) << " over layers " << range.first << "-" << range.last << " -> " << outDir
              << "\n";
    return 0;
}

} // namespace vora::cli
