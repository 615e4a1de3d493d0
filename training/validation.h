#pragma once
// The validation loss of a training run: the LM cross-entropy over every supervised token of the whole
// validation set (sum of token losses / supervised tokens, so it does not depend on the batch size), in
// inference mode (no autograd, no activation checkpointing). Distillation losses are left out: they
// measure the teacher, not the task.
#include "training/batch_collator.h"

#include <cstdint>
#include <vector>

namespace vora::training {

class TrainableModel;

struct ValidationResult {
    double loss = 0;
    int64_t samples = 0;
    int64_t supervisedTokens = 0;
};

// Materializes the model's trainable tensors first. Throws core::Error naming an unreadable image.
ValidationResult validationLoss(TrainableModel& model, const std::vector<TrainingSample>& samples,
                                const CollateOptions& collate, int64_t batchSize);

} // namespace vora::training
