// config.json: every field typed and range-checked (no silent truncation).
#include "core/model/model_config.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const vora::core::ModelConfig config = vora::core::parseModelConfig(vora::fuzz::text(data, size), "config.json");
        // What the runtime computes from an accepted config must not overflow.
        volatile int64_t parameters = config.vocabSize * config.hiddenSize
            + int64_t(config.numLayers) * config.hiddenSize * config.intermediateSize * 3
            + int64_t(config.numHeads) * config.headDim * config.hiddenSize;
        (void)parameters;
        (void)config.defaultContext();
    } catch (const vora::core::Error&) {
    }
    return 0;
}
