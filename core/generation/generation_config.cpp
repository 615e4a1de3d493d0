#include "core/generation/generation_config.h"

#include "core/error.h"
#include "core/io/bounded_read.h"
#include "core/io/json_value.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace vora::core {
namespace {

using nlohmann::json;

// Reads one key, turning a type mismatch into an error that names the file and the key.
class ConfigReader {
public:
    ConfigReader(const json& root, const std::string& path) : m_root(root), m_path(path) {}

    template <typename T>
    std::optional<T> get(const char* key) const
    {
        const auto it = m_root.find(key);
        if (it == m_root.end() || it->is_null()) {
            return std::nullopt;
        }
        const std::optional<T> value = jsonAs<T>(*it);
        require(value.has_value(), ErrorCode::InvalidConfig,
                m_path + ": \"" + key + "\" must be " + jsonKindName<T>() + ", not " + it->dump());
        return value;
    }

    // A single value or a list of them.
    template <typename T>
    std::vector<T> list(const char* key) const
    {
        const auto it = m_root.find(key);
        if (it == m_root.end() || it->is_null()) {
            return {};
        }
        const json items = it->is_array() ? *it : json::array({*it});
        std::vector<T> values;
        for (const json& item : items) {
            const std::optional<T> value = jsonAs<T>(item);
            require(value.has_value(), ErrorCode::InvalidConfig,
                    m_path + ": \"" + key + "\" must be " + jsonKindName<T>() + " or a list of them, not " + it->dump());
            values.push_back(*value);
        }
        return values;
    }

private:
    const json& m_root;
    const std::string& m_path;
};

} // namespace

GenerationConfig parseGenerationConfig(const std::string& jsonText, const std::string& pathForErrors)
{
    json root;
    try {
        root = json::parse(jsonText);
    } catch (const json::exception& error) {
        throw Error(ErrorCode::InvalidConfig, pathForErrors + ": not valid JSON: " + error.what());
    }
    require(root.is_object(), ErrorCode::InvalidConfig, pathForErrors + ": not a JSON object");
    const ConfigReader read(root, pathForErrors);
    GenerationConfig config;
    config.doSample = read.get<bool>("do_sample");
    config.temperature = read.get<double>("temperature");
    config.topP = read.get<double>("top_p");
    config.topK = read.get<int>("top_k");
    config.minP = read.get<double>("min_p");
    config.repetitionPenalty = read.get<double>("repetition_penalty");
    config.maxNewTokens = read.get<int>("max_new_tokens");
    config.minNewTokens = read.get<int>("min_new_tokens");
    config.stopStrings = read.list<std::string>("stop_strings");
    config.eosTokenIds = read.list<int64_t>("eos_token_id");
    config.padTokenId = read.get<int64_t>("pad_token_id");
    return config;
}

std::optional<GenerationConfig> loadGenerationConfig(const std::string& modelDir)
{
    const std::filesystem::path path = std::filesystem::path(modelDir) / "generation_config.json";
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
        return std::nullopt;
    }
    return parseGenerationConfig(readFileBounded(path.string(), kMaxConfigFileBytes), path.string());
}

GenerationSettings defaultGenerationSettings(const std::optional<GenerationConfig>& config)
{
    GenerationSettings settings;
    if (!config) {
        return settings;
    }
    SamplingParams& s = settings.sampling;
    s.temperature = config->doSample.value_or(false) ? config->temperature.value_or(1.0) : 0.0;
    s.topP = config->topP.value_or(1.0);
    s.topK = config->topK.value_or(50);
    s.minP = config->minP.value_or(0.0);
    s.repetitionPenalty = config->repetitionPenalty.value_or(1.0);
    StopCriteria& stop = settings.stop;
    stop.maxNewTokens = config->maxNewTokens.value_or(stop.maxNewTokens);
    stop.minNewTokens = config->minNewTokens.value_or(0);
    stop.stopStrings = config->stopStrings;
    stop.eosIds = config->eosTokenIds;
    return settings;
}

} // namespace vora::core
