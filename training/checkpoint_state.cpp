#include "training/checkpoint_state.h"

#include "core/error.h"
#include "core/io/json_value.h"

#include <cmath>
#include <limits>
#include <optional>

namespace vora::training {
namespace {

using nlohmann::json;

int64_t field(const json& state, const std::string& path, const char* name, int64_t min, int64_t max,
              std::optional<int64_t> fallback = std::nullopt)
{
    if (!state.contains(name) && fallback) {
        return *fallback;
    }
    core::require(state.contains(name), core::ErrorCode::CorruptFile, path + ": \"" + name + "\" is missing");
    const std::optional<int64_t> value = core::jsonAs<int64_t>(state.at(name));
    core::require(value && *value >= min && *value <= max, core::ErrorCode::CorruptFile,
                  path + ": \"" + name + "\" must be an integer from " + std::to_string(min) + " to " + std::to_string(max)
                      + ", not " + state.at(name).dump());
    return *value;
}

} // namespace

CheckpointState parseCheckpointState(const std::string& text, const std::string& path)
{
    json state;
    try {
        state = json::parse(text);
    } catch (const json::exception& e) {
        throw core::Error(core::ErrorCode::CorruptFile, path + ": not valid JSON: " + e.what());
    }
    core::require(state.is_object(), core::ErrorCode::CorruptFile, path + ": must hold a JSON object");
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    CheckpointState parsed;
    parsed.step = field(state, path, "step", 0, kMax);
    parsed.optimizerSteps = field(state, path, "optimizer_steps", 0, kMax);
    parsed.epoch = field(state, path, "epoch", 0, kMax);
    parsed.dataSamples = field(state, path, "data_samples", 1, kMax);
    parsed.position = field(state, path, "position", 0, parsed.dataSamples);
    parsed.samplesSeen = field(state, path, "samples_seen", 0, kMax, 0);
    return parsed;
}

double parseCheckpointLoraScale(const std::string& text, const std::string& path)
{
    json state;
    try {
        state = json::parse(text);
    } catch (const json::exception& e) {
        throw core::Error(core::ErrorCode::CorruptFile, path + ": not valid JSON: " + e.what());
    }
    core::require(state.is_object() && state.value("lora_scale", json(1.0)).is_number(), core::ErrorCode::CorruptFile,
                  path + ": \"lora_scale\" must be a number");
    const double scale = state.value("lora_scale", 1.0);
    core::require(std::isfinite(scale), core::ErrorCode::CorruptFile, path + ": \"lora_scale\" is not finite");
    return scale;
}

} // namespace vora::training
