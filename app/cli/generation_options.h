#pragma once
// The generation flags `vora run` and `vora chat` share (sampling and stop criteria), and the statistics
// keys both print in their JSON.
#include "app/cli/command_line.h"
#include "core/generation/sampling_params.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace vora::cli {

const std::vector<OptionSpec>& generationOptionSpecs();
// Overrides the model's defaults with the flags given.
void applyGenerationOptions(const CommandLine& line, core::SamplingParams& sampling, core::StopCriteria& stop);
// prompt_tokens, image_tokens, generated_tokens, prefill_ms, time_to_first_token_ms, decode_tokens_per_s,
// peak_memory_bytes.
nlohmann::json generationStatsJson(const core::GenerationStats& stats);

} // namespace vora::cli
