// generation_config.json and the default generation settings it gives.
#include "core/generation/generation_config.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto config = vora::core::parseGenerationConfig(vora::fuzz::text(data, size), "generation_config.json");
        const vora::core::GenerationSettings settings = vora::core::defaultGenerationSettings(config);
        vora::core::validateSampling(settings.sampling);
        vora::core::validateStopCriteria(settings.stop);
    } catch (const vora::core::Error&) {
    }
    return 0;
}
