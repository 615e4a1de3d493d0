// `vora preprocess`: an image file -> the model's pixel tensor (safetensors) and its geometry (JSON),
// so that machines without OpenCV (the GPU server) can be fed pixels prepared elsewhere.
#include "cli/command_line.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/image/image_decoder.h"
#include "core/image/image_preprocessor.h"
#include "core/safetensors/safetensors_writer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

namespace vora::cli {
namespace {

nlohmann::json geometryJson(const core::ImageGeometry& g)
{
    return {{"original_width", g.originalWidth}, {"original_height", g.originalHeight},
            {"padded_side", g.paddedSide},       {"pad_left", g.padLeft},
            {"pad_top", g.padTop},               {"resized_width", g.resizedWidth},
            {"resized_height", g.resizedHeight}, {"scale", g.scale},
            {"grid_height", g.gridHeight},       {"grid_width", g.gridWidth},
            {"patch_size", g.patchSize},         {"token_count", g.tokenCount()}};
}

void writeJson(const std::string& path, const nlohmann::json& json)
{
    std::ofstream out(path, std::ios::trunc);
    out << json.dump(2) << "\n";
    out.flush();
    core::require(out.good(), core::ErrorCode::Io, path + ": cannot write");
}

} // namespace

int runPreprocess(const Arguments& args)
{
    const std::vector<OptionSpec> specs = {
        {"image", true, "the image file (PNG, JPEG, WebP, BMP, TIFF, binary PPM/PGM)", "PATH"},
        {"model", true, "model folder: preprocessor_config.json / config.json (defaults: VoRA 448)", "DIR"},
        {"out", true, "pixel tensor to write: safetensors with pixel_values float32 [1,3,H,W]", "FILE"},
        {"out-json", true, "geometry JSON to write (default: FILE.json)", "FILE"},
        {"native", false, "native resolution: patch multiples within min/max pixels, no padding"},
    };
    const CommandLine line("vora preprocess --image PATH [--model DIR] --out FILE", specs, args);
    const std::string imagePath = line.required("image");
    const std::string outPath = line.required("out");
    const std::string jsonPath = line.valueOr("out-json", outPath + ".json");
    if (!line.positionals().empty()) {
        throw UsageError("unexpected argument '" + line.positionals().front() + "'");
    }

    core::PreprocessConfig config;
    if (const auto model = line.value("model")) {
        config = core::PreprocessConfig::fromModelDir(*model);
    }
    if (line.has("native")) {
        config.mode = core::PreprocessConfig::Mode::NativeResolution;
    }
    const core::PreprocessedImage image = core::preprocessImage(core::decodeImageFile(imagePath), config);

    const auto* bytes = reinterpret_cast<const std::byte*>(image.pixels.data());
    core::writeSafetensors(outPath,
                           {{"pixel_values", "F32", {1, image.channels, image.height, image.width},
                             {bytes, image.pixels.size() * sizeof(float)}}},
                           {{"format", "pt"}, {"source", imagePath}});
    nlohmann::json json = geometryJson(image.geometry);
    json["image"] = imagePath;
    json["pixel_values"] = outPath;
    json["shape"] = {1, image.channels, image.height, image.width};
    writeJson(jsonPath, json);
    std::cout << "wrote " << outPath << " (pixel_values [1, " << image.channels << ", " << image.height << ", "
              << image.width << "], " << image.geometry.tokenCount() << " image tokens) and " << jsonPath << "\n";
    return 0;
}

} // namespace vora::cli
