#pragma once
// `vora merge`: base model folder + training checkpoint -> a complete VoRA model folder with the LoRA
// merged (W <- W + s * B @ A in float32), the trained vision embedding (and any fully fine-tuned
// weights) in place, aux_vision.* dropped, config lora.r = -1, tokenizer and other side files copied.
// Then checks itself: the maximum |logit| difference between the written folder (as VoraModel::load
// reads it) and the unmerged base + checkpoint on a probe prompt with one image.
#include <cstdint>
#include <string>

namespace vora::training {

struct MergeOptions {
    std::string modelDir;
    std::string checkpoint; // run folder (uses `latest`) or checkpoint folder
    std::string outDir;
    std::string dtype = "auto"; // auto (the base's torch_dtype, else bfloat16) | bfloat16 | float32 | float16
    int64_t shardBytes = 4LL << 30;
    bool probe = true;
};

struct MergeReport {
    std::string checkpointDir;
    int mergedLinears = 0;
    int64_t tensors = 0;
    int shards = 0;
    double maxLogitDiff = -1; // -1 when not probed
    double maxLogit = 0;      // scale of the probe's logits
};

MergeReport mergeCheckpoint(const MergeOptions& options);

} // namespace vora::training
