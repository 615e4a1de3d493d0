// A checkpoint's state.json as --resume reads it: every field typed and inside its range.
#include "training/checkpoint_state.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto state = vora::training::parseCheckpointState(vora::fuzz::text(data, size), "state.json");
        if (state.step < 0 || state.optimizerSteps < 0 || state.epoch < 0 || state.samplesSeen < 0
            || state.dataSamples < 1 || state.position < 0 || state.position > state.dataSamples) {
            __builtin_trap(); // an accepted state is one the trainer can index with
        }
    } catch (const vora::core::Error&) {
    }
    return 0;
}
