#pragma once
// Warm start (`vora train --init-from DIR`): a new run begins from the trainable tensors of an earlier run,
// one of its checkpoints, or a shipped part (trainable.safetensors + state.json, resources/demo-model),
// with a fresh optimizer, schedule and step count. Every tensor of DIR must be trainable in the new run
// with the same shape, and its LoRA scale must be the new run's (the deltas would otherwise mean
// something else); the run's tensors that DIR lacks keep their fresh initialisation (e.g. LoRA on more
// blocks than before). --resume is different: it continues one run exactly, optimizer included.
#include "training/trainable_model.h"

#include <cstdint>
#include <string>

namespace vora::training {

struct WarmStart {
    std::string checkpointDir; // the checkpoint folder the tensors came from
    int64_t loadedTensors = 0;
    int64_t freshTensors = 0; // trainable tensors DIR did not have
};

// Throws core::Error naming DIR's files: not a checkpoint, unreadable, a tensor unknown to the run or of
// another shape, a different LoRA scale, or no tensor in common.
WarmStart warmStartFrom(TrainableModel& model, const std::string& dir);

} // namespace vora::training
