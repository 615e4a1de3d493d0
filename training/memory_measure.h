#pragma once
// `vora estimate --measure`: two real forward+backward passes over a synthetic batch of the estimated
// shape (random ids, random pixels, every text token supervised), then the device's peak memory.
#include "training/train_options.h"

#include <cstdint>

namespace vora::training {

struct MeasuredMemory {
    int64_t peakBytes = 0;   // CUDA caching allocator peak, or max RSS on CPU
    double stepSeconds = 0;  // of the second pass
};

MeasuredMemory measureTrainingMemory(const TrainOptions& options, int64_t textTokens, int64_t imagesPerSample);

} // namespace vora::training
