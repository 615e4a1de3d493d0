// model.safetensors.index.json: the weight map and its shard names.
#include "core/safetensors/checkpoint_files.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        for (const auto& [tensor, shard] : vora::core::parseCheckpointIndex(vora::fuzz::text(data, size), "index.json")) {
            if (shard.empty() || shard.find('/') != std::string::npos || shard == "..") {
                __builtin_trap(); // a shard name that leaves the model folder got through
            }
        }
    } catch (const vora::core::Error&) {
    }
    return 0;
}
