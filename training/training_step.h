#pragma once
// One forward pass of a training micro-batch and its losses: embeddings (text + vision, merged in
// sequence order), the decoder blocks (each optionally checkpointed: run without saving activations,
// recomputed in backward), the LM cross-entropy over shifted labels (mean over supervised tokens) and
// the distillation losses at image positions.
#include "training/batch_collator.h"

#include <ATen/core/Tensor.h>

#include <vector>

namespace vora::core {
class VoraModel;
}

namespace vora::training {

class TrainableModel;
class Distiller;

struct StepLosses {
    at::Tensor total;            // lm + mean(aux); what backward runs on
    at::Tensor lm;
    std::vector<at::Tensor> aux; // per head (empty without distillation or images)
};

// model.materialize() must have run since the last optimizer update.
StepLosses computeLosses(TrainableModel& model, const Batch& batch, const Distiller* distiller,
                         bool gradientCheckpointing);
// The same forward and LM loss on a loaded model (evaluation: `vora eval --loss`); no distillation.
StepLosses computeLosses(core::VoraModel& model, const Batch& batch, const Distiller* distiller = nullptr,
                         bool gradientCheckpointing = false);

} // namespace vora::training
