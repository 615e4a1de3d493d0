#include "cli/generation_options.h"

#include "core/error.h"

#include <limits>

namespace vora::cli {

const OptionSpec& prefillOptionSpec()
{
    static const OptionSpec spec{"prefill", true,
                                 "kernels (default where CUDA graphs run): prefill with the fused kernels; eager: "
                                 "the eager forward, to compare the two", "kernels|eager"};
    return spec;
}

bool kernelPrefill(const CommandLine& line)
{
    const std::string mode = line.valueOr("prefill", "kernels");
    if (mode != "kernels" && mode != "eager") {
        throw UsageError("--prefill must be kernels or eager");
    }
    return mode == "kernels";
}
namespace {

constexpr long long kMaxInt = std::numeric_limits<int>::max();

} // namespace

const std::vector<OptionSpec>& generationOptionSpecs()
{
    static const std::vector<OptionSpec> specs = {
        {"max-new-tokens", true,
         "generation budget (default: generation_config.json or 512); lowered, with a note, to what the context has left",
         "N"},
        {"min-new-tokens", true, "suppress end-of-text before N tokens", "N"},
        {"temperature", true, "0 = greedy (default: generation_config.json)", "T"},
        {"top-p", true, "nucleus sampling threshold", "P"},
        {"top-k", true, "keep the K most likely tokens (0 = off)", "K"},
        {"min-p", true, "drop tokens below P x the top probability", "P"},
        {"repetition-penalty", true, "penalise tokens already present (1 = off)", "R"},
        {"seed", true, "random seed for sampling", "S"},
        {"stop", true, "stop string; repeat for several", "TEXT"},
    };
    return specs;
}

core::GenerationSettings generationSettings(const CommandLine& line, core::GenerationSettings settings)
{
    core::SamplingParams& sampling = settings.sampling;
    core::StopCriteria& stop = settings.stop;
    if (auto v = line.number("temperature")) sampling.temperature = *v;
    if (auto v = line.number("top-p")) sampling.topP = *v;
    if (auto v = line.integerIn("top-k", 0, kMaxInt)) sampling.topK = static_cast<int>(*v);
    if (auto v = line.number("min-p")) sampling.minP = *v;
    if (auto v = line.number("repetition-penalty")) sampling.repetitionPenalty = *v;
    if (auto v = line.integer("seed")) sampling.seed = *v;
    if (auto v = line.integerIn("max-new-tokens", 1, kMaxInt)) stop.maxNewTokens = static_cast<int>(*v);
    if (auto v = line.integerIn("min-new-tokens", 0, kMaxInt)) stop.minNewTokens = static_cast<int>(*v);
    for (const std::string& s : line.values("stop")) {
        stop.stopStrings.push_back(s);
    }
    try {
        core::validateSampling(sampling);
        core::validateStopCriteria(stop);
    } catch (const core::Error& error) {
        throw UsageError(error.what());
    }
    return settings;
}

} // namespace vora::cli
