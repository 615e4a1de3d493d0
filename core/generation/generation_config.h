#pragma once
// A model folder's generation_config.json (transformers' GenerationConfig) and the default settings
// it gives: the one parser of that file. Plain C++, any thread.
//
// Where each default comes from (defaultGenerationSettings):
//  - no generation_config.json: the built-in defaults of GenerationSettings
//    (core/generation/generation_settings.h);
//  - the file is there: every key it sets wins; a key it leaves out takes transformers' default for
//    that key, as transformers would run the model: do_sample false (greedy: temperature 0),
//    temperature 1, top_p 1, top_k 50, min_p off, repetition_penalty 1, min_new_tokens 0, no stop
//    strings. Two exceptions: max_new_tokens left out means 512 (transformers' max_length of 20
//    would cut every answer short), and seed is never read from the file (always -1, random).
#include "core/generation/generation_settings.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vora::core {

// The keys the runtime reads, exactly as the file had them (nullopt / empty when absent or null).
struct GenerationConfig {
    std::optional<bool> doSample;
    std::optional<double> temperature;
    std::optional<double> topP;
    std::optional<int> topK;
    std::optional<double> minP;
    std::optional<double> repetitionPenalty;
    std::optional<int> maxNewTokens;
    std::optional<int> minNewTokens;
    std::vector<std::string> stopStrings; // "stop_strings": one string or a list
    std::vector<int64_t> eosTokenIds;     // "eos_token_id": one id or a list
    std::optional<int64_t> padTokenId;
};

// Throws Error(InvalidConfig) naming pathForErrors and the field when the text is not a JSON object
// or a key has the wrong type.
GenerationConfig parseGenerationConfig(const std::string& jsonText, const std::string& pathForErrors);

// modelDir/generation_config.json, or nullopt when the folder has none. Throws like parseGenerationConfig,
// or Error(Io) when the file exists but cannot be read.
std::optional<GenerationConfig> loadGenerationConfig(const std::string& modelDir);

// The settings a model starts with (see the rules above); stop.eosIds holds the file's eos ids only.
GenerationSettings defaultGenerationSettings(const std::optional<GenerationConfig>& config);

} // namespace vora::core
