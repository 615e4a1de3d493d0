#pragma once
// Options for fast runs on the tiny Qwen2 base under tests/data/training (a fresh 56 px vision
// embedding with 16 image tokens, rank-4 LoRA in both blocks).
#include "training/train_options.h"

namespace vora::testing {

inline training::TrainOptions tinyTrainOptions()
{
    training::TrainOptions o;
    o.modelDir = VORA_TEST_DATA_DIR "/training/base"; // qwen2_text grown to the tiny ChatML tokenizer it carries
    o.loraRank = 4;
    o.loraLayers = 2;
    o.imageSize = 56;
    o.patchSize = 14;
    o.visionWidth = 32;
    o.dtype = "float32";
    o.warmupSteps = 2;
    o.lr = 5e-3;
    o.maxTextLen = 128;
    o.quiet = true;
    return o;
}

} // namespace vora::testing
