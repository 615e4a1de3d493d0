// PreprocessConfig::fromModelDir: the model folder's preprocessor_config.json and config.json.
#include "core/error.h"
#include "core/io/bounded_read.h"
#include "core/image/image_preprocessor.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>

namespace vora::core {
namespace {

std::optional<nlohmann::json> readJsonIfPresent(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return std::nullopt;
    }
    const std::string text = readFileBounded(path.string(), kMaxConfigFileBytes);
    try {
        nlohmann::json json = nlohmann::json::parse(text);
        require(json.is_object(), ErrorCode::InvalidConfig, path.string() + ": expected a JSON object");
        return json;
    } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for a number like 1e400
        throw Error(ErrorCode::InvalidConfig, path.string() + ": invalid JSON: " + e.what());
    }
}

// Runs `read` and turns a JSON type error into InvalidConfig naming the file and key.
template <typename Read>
void readKey(const nlohmann::json& json, const char* key, const std::filesystem::path& file, Read read)
{
    if (!json.contains(key) || json.at(key).is_null()) {
        return;
    }
    try {
        read(json.at(key));
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidConfig, file.string() + ": bad value for \"" + key + "\": " + e.what());
    }
}

std::array<float, 3> triple(const nlohmann::json& value, const std::filesystem::path& file, const char* key)
{
    require(value.is_array() && value.size() == 3, ErrorCode::InvalidConfig,
            file.string() + ": \"" + key + "\" must be an array of 3 numbers");
    return {value[0].get<float>(), value[1].get<float>(), value[2].get<float>()};
}

// "size" is {"shortest_edge": n} (CLIP) or {"height": n, "width": n}; VoRA feeds squares either way.
int squareSide(const nlohmann::json& value, const std::filesystem::path& file)
{
    if (value.is_number_integer()) {
        return value.get<int>();
    }
    if (value.contains("shortest_edge")) {
        return value.at("shortest_edge").get<int>();
    }
    const int height = value.at("height").get<int>();
    require(height == value.at("width").get<int>(), ErrorCode::InvalidConfig,
            file.string() + ": non-square \"size\" is not supported");
    return height;
}

void applyPreprocessorConfig(PreprocessConfig& c, const nlohmann::json& j, const std::filesystem::path& file)
{
    readKey(j, "image_mean", file, [&](const nlohmann::json& v) { c.mean = triple(v, file, "image_mean"); });
    readKey(j, "image_std", file, [&](const nlohmann::json& v) { c.std = triple(v, file, "image_std"); });
    readKey(j, "rescale_factor", file, [&](const nlohmann::json& v) { c.rescaleFactor = v.get<double>(); });
    readKey(j, "do_rescale", file, [&](const nlohmann::json& v) {
        if (!v.get<bool>()) {
            c.rescaleFactor = 1.0;
        }
    });
    readKey(j, "do_normalize", file, [&](const nlohmann::json& v) {
        if (!v.get<bool>()) {
            c.mean = {0.0f, 0.0f, 0.0f};
            c.std = {1.0f, 1.0f, 1.0f};
        }
    });
    readKey(j, "crop_size", file, [&](const nlohmann::json& v) { c.imageSize = squareSide(v, file); });
    readKey(j, "size", file, [&](const nlohmann::json& v) { c.imageSize = squareSide(v, file); });
    readKey(j, "patch_size", file, [&](const nlohmann::json& v) { c.patchSize = v.get<int>(); });
    readKey(j, "min_pixels", file, [&](const nlohmann::json& v) { c.minPixels = v.get<int64_t>(); });
    readKey(j, "max_pixels", file, [&](const nlohmann::json& v) { c.maxPixels = v.get<int64_t>(); });
}

} // namespace

PreprocessConfig PreprocessConfig::fromModelDir(const std::string& dir)
{
    const std::filesystem::path root(dir);
    std::error_code ec;
    require(std::filesystem::is_directory(root, ec), ErrorCode::FileNotFound, dir + ": no such model folder");
    PreprocessConfig config;
    const auto modelFile = root / "config.json";
    if (const auto model = readJsonIfPresent(modelFile)) {
        readKey(*model, "image_size", modelFile, [&](const nlohmann::json& v) { config.imageSize = v.get<int>(); });
        readKey(*model, "patch_size", modelFile, [&](const nlohmann::json& v) { config.patchSize = v.get<int>(); });
    }
    const auto preprocessorFile = root / "preprocessor_config.json";
    if (const auto preprocessor = readJsonIfPresent(preprocessorFile)) {
        applyPreprocessorConfig(config, *preprocessor, preprocessorFile);
    }
    try {
        config.validate();
    } catch (const Error& e) {
        throw Error(ErrorCode::InvalidConfig, dir + ": " + e.what());
    }
    return config;
}

} // namespace vora::core
