#include "training/train_options.h"

#include "core/error.h"
#include "training/lr_schedule.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>

namespace vora::training {
namespace {

using nlohmann::json;

std::string canonicalKey(std::string key)
{
    std::replace(key.begin(), key.end(), '_', '-');
    return key;
}

std::vector<std::string> stringList(const json& value)
{
    if (value.is_string()) {
        std::vector<std::string> out;
        std::string item;
        for (const char c : value.get<std::string>() + ",") {
            if (c == ',') {
                if (!item.empty()) {
                    out.push_back(item);
                }
                item.clear();
            } else if (c != ' ') {
                item += c;
            }
        }
        return out;
    }
    return value.get<std::vector<std::string>>();
}

using Setter = std::function<void(TrainOptions&, const json&)>;

const std::map<std::string, Setter>& setters()
{
    static const std::map<std::string, Setter> all = {
        {"model", [](TrainOptions& o, const json& v) { o.modelDir = v.get<std::string>(); }},
        {"tokenizer", [](TrainOptions& o, const json& v) { o.tokenizerPath = v.get<std::string>(); }},
        {"data", [](TrainOptions& o, const json& v) { o.dataFiles = stringList(v); }},
        {"image-root", [](TrainOptions& o, const json& v) { o.imageRoot = v.get<std::string>(); }},
        {"stage", [](TrainOptions& o, const json& v) {
             const auto s = v.get<std::string>();
             core::require(s == "pretrain" || s == "finetune", core::ErrorCode::InvalidConfig, "stage must be pretrain or finetune");
             o.stage = s == "pretrain" ? TrainStage::Pretrain : TrainStage::Finetune;
         }},
        {"finetune-params", [](TrainOptions& o, const json& v) { o.finetuneParams = v.get<std::string>(); }},
        {"lora-rank", [](TrainOptions& o, const json& v) { o.loraRank = v.get<int>(); }},
        {"lora-layers", [](TrainOptions& o, const json& v) { o.loraLayers = v.get<int>(); }},
        {"lora-targets", [](TrainOptions& o, const json& v) { o.loraTargets = stringList(v); }},
        {"lora-scale", [](TrainOptions& o, const json& v) { o.loraScale = v.get<double>(); }},
        {"lora-alpha", [](TrainOptions& o, const json& v) { o.loraAlpha = v.get<double>(); }},
        {"image-size", [](TrainOptions& o, const json& v) { o.imageSize = v.get<int>(); }},
        {"patch-size", [](TrainOptions& o, const json& v) { o.patchSize = v.get<int>(); }},
        {"vision-width", [](TrainOptions& o, const json& v) { o.visionWidth = v.get<int>(); }},
        {"distill", [](TrainOptions& o, const json& v) { o.distillDir = v.get<std::string>(); }},
        {"max-steps", [](TrainOptions& o, const json& v) { o.maxSteps = v.get<int64_t>(); }},
        {"epochs", [](TrainOptions& o, const json& v) { o.epochs = v.get<int64_t>(); }},
        {"batch-size", [](TrainOptions& o, const json& v) { o.batchSize = v.get<int64_t>(); }},
        {"grad-accum", [](TrainOptions& o, const json& v) { o.gradAccum = v.get<int64_t>(); }},
        {"lr", [](TrainOptions& o, const json& v) { o.lr = v.get<double>(); }},
        {"schedule", [](TrainOptions& o, const json& v) { o.schedule = v.get<std::string>(); }},
        {"warmup-steps", [](TrainOptions& o, const json& v) { o.warmupSteps = v.get<int64_t>(); }},
        {"weight-decay", [](TrainOptions& o, const json& v) { o.weightDecay = v.get<double>(); }},
        {"max-grad-norm", [](TrainOptions& o, const json& v) { o.maxGradNorm = v.get<double>(); }},
        {"max-text-len", [](TrainOptions& o, const json& v) { o.maxTextLen = v.get<int64_t>(); }},
        {"seed", [](TrainOptions& o, const json& v) { o.seed = v.get<uint64_t>(); }},
        {"device", [](TrainOptions& o, const json& v) { o.device = v.get<std::string>(); }},
        {"dtype", [](TrainOptions& o, const json& v) { o.dtype = v.get<std::string>(); }},
        {"gradient-checkpointing", [](TrainOptions& o, const json& v) { o.gradientCheckpointing = v.get<bool>(); }},
        {"save-every", [](TrainOptions& o, const json& v) { o.saveEvery = v.get<int64_t>(); }},
        {"resume", [](TrainOptions& o, const json& v) { o.resume = v.get<bool>(); }},
        {"out", [](TrainOptions& o, const json& v) { o.outDir = v.get<std::string>(); }},
        {"skip-bad-samples", [](TrainOptions& o, const json& v) { o.skipBadSamples = v.get<bool>(); }},
    };
    return all;
}

} // namespace

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
        const auto it = setters().find(canonicalKey(key));
        core::require(it != setters().end(), core::ErrorCode::InvalidConfig, pathForErrors + ": unknown key \"" + key + "\"");
        try {
            it->second(options, value);
        } catch (const json::exception& e) {
            throw core::Error(core::ErrorCode::InvalidConfig, pathForErrors + ": key \"" + key + "\": " + e.what());
        }
    }
}

void validateTrainOptions(const TrainOptions& o)
{
    using core::ErrorCode;
    using core::require;
    require(!o.modelDir.empty(), ErrorCode::InvalidArgument, "--model is required");
    require(!o.dataFiles.empty(), ErrorCode::InvalidArgument, "--data is required");
    require(!o.outDir.empty(), ErrorCode::InvalidArgument, "--out is required");
    require(o.loraRank > 0 && o.loraLayers >= 0, ErrorCode::InvalidArgument, "--lora-rank must be > 0 and --lora-layers >= 0");
    require(o.finetuneParams == "full" || o.finetuneParams == "lora", ErrorCode::InvalidArgument,
            "--finetune-params must be full or lora");
    static const std::vector<std::string> known = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
    for (const std::string& target : o.loraTargets) {
        require(std::find(known.begin(), known.end(), target) != known.end(), ErrorCode::InvalidArgument,
                "unknown LoRA target \"" + target + "\" (use q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj)");
    }
    require(o.batchSize > 0 && o.gradAccum > 0 && o.epochs > 0 && o.maxSteps >= 0, ErrorCode::InvalidArgument,
            "--batch-size, --grad-accum and --epochs must be positive, --max-steps >= 0");
    require(o.lr > 0 && o.warmupSteps >= 0 && o.maxTextLen > 8 && o.saveEvery >= 0, ErrorCode::InvalidArgument,
            "--lr must be > 0, --warmup-steps >= 0, --max-text-len > 8, --save-every >= 0");
    require(o.imageSize > 0 && o.patchSize > 0 && o.imageSize % o.patchSize == 0 && o.visionWidth > 0,
            ErrorCode::InvalidArgument, "--image-size must be a positive multiple of --patch-size");
    parseScheduleKind(o.schedule);
}

std::string toJson(const TrainOptions& o)
{
    json j = {
        {"model", o.modelDir}, {"tokenizer", o.tokenizerPath}, {"data", o.dataFiles}, {"image-root", o.imageRoot},
        {"stage", o.stage == TrainStage::Pretrain ? "pretrain" : "finetune"}, {"finetune-params", o.finetuneParams},
        {"lora-rank", o.loraRank}, {"lora-layers", o.loraLayers}, {"lora-targets", o.loraTargets},
        {"lora-scale", o.effectiveLoraScale()}, {"image-size", o.imageSize}, {"patch-size", o.patchSize},
        {"vision-width", o.visionWidth}, {"distill", o.distillDir}, {"max-steps", o.maxSteps}, {"epochs", o.epochs},
        {"batch-size", o.batchSize}, {"grad-accum", o.gradAccum}, {"lr", o.lr}, {"schedule", o.schedule},
        {"warmup-steps", o.warmupSteps}, {"weight-decay", o.weightDecay}, {"max-grad-norm", o.maxGradNorm},
        {"max-text-len", o.maxTextLen}, {"seed", o.seed}, {"device", o.device}, {"dtype", o.dtype},
        {"gradient-checkpointing", o.gradientCheckpointing}, {"save-every", o.saveEvery}, {"out", o.outDir},
        {"skip-bad-samples", o.skipBadSamples},
    };
    return j.dump(1);
}

} // namespace vora::training
