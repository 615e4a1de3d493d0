#pragma once
// Everything a user can set for one generation, in plain C++ (no torch): the one home of these
// fields and of their built-in defaults. The `vora run` flags, the app's conversation settings (and
// the JSON it stores) and generation_config.json all map onto these types; a model's own defaults
// are computed from its generation_config.json by defaultGenerationSettings()
// (core/generation/generation_config.h), which says where each default comes from.
#include <cstdint>
#include <string>
#include <vector>

namespace vora::core {

// The sampling chain (core/generation/sampler.h), in transformers' order. The defaults here are the
// ones used when a model folder has no generation_config.json (those of Qwen2.5-Instruct, VoRA's LLM).
struct SamplingParams {
    double temperature = 0.7;       // <= 0: greedy (argmax)
    double topP = 0.8;              // keep the smallest set of tokens whose probability reaches P; 1 disables
    int topK = 20;                  // keep the K most likely tokens; 0 disables
    double minP = 0.0;              // drop tokens below minP x the top probability; 0 disables
    double repetitionPenalty = 1.0; // > 1 discourages the prompt's text tokens and generated ones; 1 disables
    int64_t seed = -1;              // -1: a fresh random seed for every generation

    bool greedy() const { return temperature <= 0.0 || topK == 1; }
    bool operator==(const SamplingParams&) const = default;
};

struct StopCriteria {
    int maxNewTokens = 512;
    int minNewTokens = 0;                 // end tokens are never drawn before this many tokens
    std::vector<std::string> stopStrings; // matched on the decoded text, also across token boundaries
    // The model's end tokens (generation_config.json, config.json and the tokenizer's eos and
    // <|im_end|>): filled in by the runtime, not a user setting, and never stored with a conversation.
    std::vector<int64_t> eosIds;

    bool operator==(const StopCriteria&) const = default;
};

struct GenerationSettings {
    SamplingParams sampling;
    StopCriteria stop;

    bool operator==(const GenerationSettings&) const = default;
};

// Calls visit(key, member) for every numeric setting, with the member as double&, int& or int64_t&
// (const when settings is const): the one list of their JSON keys, which are generation_config.json's
// where that file has the setting (seed aside). Stop strings go by "stop_strings";
// eos ids are the model's and have no key.
template <typename Settings, typename Visit>
void visitGenerationSettings(Settings& settings, Visit&& visit)
{
    visit("temperature", settings.sampling.temperature);
    visit("top_p", settings.sampling.topP);
    visit("top_k", settings.sampling.topK);
    visit("min_p", settings.sampling.minP);
    visit("repetition_penalty", settings.sampling.repetitionPenalty);
    visit("seed", settings.sampling.seed);
    visit("max_new_tokens", settings.stop.maxNewTokens);
    visit("min_new_tokens", settings.stop.minNewTokens);
}

// Throw Error(InvalidArgument) naming the first field out of range: temperature finite and >= 0,
// top-p in (0, 1], top-k >= 0,
// min-p in [0, 1), repetition penalty > 0; max new tokens >= 1, min new tokens in [0, max new tokens].
void validateSampling(const SamplingParams& sampling);
void validateStopCriteria(const StopCriteria& stop);

} // namespace vora::core
