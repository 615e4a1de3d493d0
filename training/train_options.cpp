#include "training/train_options.h"

#include "core/error.h"
#include "training/train_option_table.h"

#include <nlohmann/json.hpp>

namespace vora::training {

using nlohmann::json;

void applyTrainConfigJson(TrainOptions& options, const std::string& jsonText, const std::string& pathForErrors)
{
    json root;
    try {
        root = json::parse(jsonText);
    } catch (const json::exception& e) {
        throw core::Error(core::ErrorCode::InvalidConfig, pathForErrors + ": " + e.what());
    }
    core::require(root.is_object(), core::ErrorCode::InvalidConfig, pathForErrors + ": not a JSON object");
    for (const auto& [key, value] : root.items()) {
        const TrainOptionDecl* option = findTrainOption(key);
        core::require(option != nullptr, core::ErrorCode::InvalidConfig, pathForErrors + ": unknown key \"" + key + "\"");
        try {
            option->set(options, value, pathForErrors + ": key \"" + key + "\"");
        } catch (const core::Error& e) {
            throw core::Error(core::ErrorCode::InvalidConfig, e.what());
        }
    }
}

void applyTrainArguments(TrainOptions& options, const std::vector<std::pair<std::string, std::vector<std::string>>>& values)
{
    for (const auto& [flag, texts] : values) {
        const TrainOptionDecl* option = findTrainOption(flag);
        core::require(option != nullptr && option->flag == flag, core::ErrorCode::InvalidArgument, "unknown option --" + flag);
        option->set(options, optionValueFromText(*option, texts), "--" + flag);
    }
}

void validateTrainOptions(const TrainOptions& o)
{
    using core::ErrorCode;
    using core::require;
    for (const TrainOptionDecl& option : trainOptionTable()) {
        const json value = option.get(o);
        const bool empty = value.is_null() || (value.is_string() && value.get<std::string>().empty()) || (value.is_array() && value.empty());
        require(!option.required || !empty, ErrorCode::InvalidArgument, "--" + option.flag + " is required");
    }
    require(o.imageSize % o.patchSize == 0, ErrorCode::InvalidArgument,
            "--image-size (" + std::to_string(o.imageSize) + ") must be a multiple of --patch-size (" + std::to_string(o.patchSize) + ")");
    require(o.valShare == 0 || o.valDataFiles.empty(), ErrorCode::InvalidArgument,
            "--val-share and --val-data exclude each other: hold out a share of --data, or give a validation file");
    require(o.valEvery == 0 || !o.valDataFiles.empty() || o.valShare > 0, ErrorCode::InvalidArgument,
            "--val-every needs --val-data or --val-share");
}

std::string toJson(const TrainOptions& options)
{
    json saved = json::object();
    for (const TrainOptionDecl& option : trainOptionTable()) {
        if (option.saved) {
            saved[option.flag] = option.get(options);
        }
    }
    return saved.dump(1);
}

core::VisionAttentionMask resolveImageAttention(const TrainOptions& options, const core::ModelConfig& base)
{
    if (options.imageAttention) {
        return *options.imageAttention;
    }
    return base.vision ? base.vision->attentionMask : core::VisionAttentionMask::Bidirectional;
}

} // namespace vora::training
