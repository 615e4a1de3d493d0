#include "core/generation/generation_config.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

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
        const bool fits = std::is_same_v<T, bool> ? it->is_boolean()
            : std::is_integral_v<T>              ? it->is_number_integer()
                                                 : it->is_number();
        require(fits, ErrorCode::InvalidConfig, m_path + ": \"" + key + "\" must be " + kind<T>() + ", not " + it->dump());
        return it->get<T>();
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
            const bool fits = std::is_same_v<T, std::string> ? item.is_string() : item.is_number_integer();
            require(fits, ErrorCode::InvalidConfig,
                    m_path + ": \"" + key + "\" must be " + kind<T>() + " or a list of them, not " + it->dump());
            values.push_back(item.get<T>());
        }
        return values;
    }

private:
    template <typename T>
    static std::string kind()
    {
        if constexpr (std::is_same_v<T, bool>) {
            return "true or false";
        } else if constexpr (std::is_same_v<T, std::string>) {
            return "a string";
        } else if constexpr (std::is_integral_v<T>) {
            return "an integer";
        } else {
            return "a number";
        }
    }

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
    std::ifstream in(path, std::ios::binary);
    require(in.good(), ErrorCode::Io, path.string() + ": cannot open for reading");
    std::ostringstream text;
    text << in.rdbuf();
    return parseGenerationConfig(text.str(), path.string());
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
