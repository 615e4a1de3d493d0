#pragma once
// The generation flags `vora run` and `vora chat` share: one list of their specs and one mapping onto
// core::GenerationSettings (core/generation/generation_settings.h), on top of the model's defaults.
#include "cli/command_line.h"
#include "core/generation/generation_settings.h"

#include <vector>

namespace vora::cli {

// --max-new-tokens, --min-new-tokens, --temperature, --top-p, --top-k, --min-p, --repetition-penalty,
// --seed and --stop (repeatable).
const std::vector<OptionSpec>& generationOptionSpecs();

// The model's defaults with the flags given on top. Throws UsageError naming the setting when a value
// is out of range (validateSampling, validateStopCriteria).
core::GenerationSettings generationSettings(const CommandLine& line, core::GenerationSettings defaults);

// --prefill kernels|eager (`vora run`, `vora bench`): whether prompts prefill with the fused CUDA kernels where
// the decode graphs run (the default) or through the eager forward, to compare the two. Throws UsageError
// for any other value.
const OptionSpec& prefillOptionSpec();
bool kernelPrefill(const CommandLine& line);

} // namespace vora::cli
