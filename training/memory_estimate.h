#pragma once
// Predicted peak memory of a training run (`vora estimate`), broken down so a user can see what to
// change. A formula, not a measurement: activations count the tensors autograd keeps per token and
// block (see memory_estimate.cpp); --measure runs a real step to compare. Plain C++ (no torch).
#include "core/model/model_config.h"
#include "training/train_options.h"

#include <cstdint>
#include <optional>
#include <string>

namespace vora::training {

struct TeacherShape {
    int64_t width = 0;
    int layers = 0;
    int64_t intermediate = 0;
};

struct MemoryEstimateInput {
    core::ModelConfig config;    // the base; vision fields may be absent (a fresh embedding is assumed)
    TrainOptions options;
    int64_t textTokens = 0;      // per sample (0: options.maxTextLen)
    int64_t imagesPerSample = 1;
    int dtypeBytes = 2;          // compute dtype of the frozen model
    bool explicitAttention = false; // attention probabilities kept (CPU math path with a mask)
    std::optional<TeacherShape> teacher;
};

struct MemoryEstimate {
    int64_t baseParameters = 0;
    int64_t trainableParameters = 0;
    int64_t weightsBytes = 0;          // frozen + compute copies of trainable tensors, model dtype
    int64_t loraBytes = 0;             // LoRA (+ vision, heads) float32 masters
    int64_t optimizerBytes = 0;        // AdamW exp_avg + exp_avg_sq, float32
    int64_t gradientBytes = 0;         // float32 gradients of the masters
    int64_t activationBytes = 0;       // as configured (with or without checkpointing)
    int64_t activationBytesNoCheckpointing = 0;
    int64_t activationBytesCheckpointing = 0;
    int64_t logitsBytes = 0;           // logits, their float32 copy and gradient
    int64_t teacherBytes = 0;          // teacher weights + one block's activations
    int64_t sequenceTokens = 0;        // per sample, text + image
    int64_t totalBytes = 0;

    std::string toJson() const;
};

MemoryEstimate estimateTrainingMemory(const MemoryEstimateInput& input);

} // namespace vora::training
