#pragma once
// The plan of a merged model folder, made from tensor headers before any weight is read or anything written:
// every output tensor (official name, shape), where its values come from (the base's weight, or the
// checkpoint's tensor replacing or adding it) and the LoRA pair merged into it. Shapes are checked here, so a
// merge that would fail on shapes fails before it writes. The tensors are then made one at a time
// (materializeMergedTensor): `vora merge` holds one output shard, never the whole model (docs/reliability.md).
#include "core/safetensors/checkpoint_files.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace vora::training {

struct PlannedTensor {
    std::string name; // official (Hugging Face) name
    std::vector<int64_t> shape;
    const core::TensorLocation* base = nullptr; // the base's weight, when the checkpoint does not replace it
    const at::Tensor* replacement = nullptr;    // the checkpoint's tensor (trained or added)
    const at::Tensor* loraA = nullptr;          // the LoRA pair merged into it, both or neither
    const at::Tensor* loraB = nullptr;
};

struct MergePlan {
    std::vector<PlannedTensor> tensors; // sorted by name
    int mergedLinears = 0;
};

// trainable: the checkpoint's tensors by official name (teacher tensors are skipped). The plan points into
// `base` and `trainable`, which must outlive it. Throws Error(ShapeMismatch | MissingWeights).
MergePlan planMerge(const core::CheckpointFiles& base, const std::map<std::string, at::Tensor>& trainable);

// The planned tensor in float32 on the CPU: W (+ scale * B @ A). Throws Error(Internal) naming the module when
// the merged weight is not finite.
at::Tensor materializeMergedTensor(const PlannedTensor& planned, double scale);

} // namespace vora::training
