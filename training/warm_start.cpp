#include "training/warm_start.h"

#include "core/error.h"
#include "training/checkpoint_state.h"
#include "training/checkpoint_store.h"

#include <cmath>
#include <sstream>

namespace vora::training {

WarmStart warmStartFrom(TrainableModel& model, const std::string& dir)
{
    WarmStart result;
    result.checkpointDir = resolveCheckpointDir(dir);
    const CheckpointContents contents = readCheckpoint(result.checkpointDir, c10::Device(c10::kCPU));
    const std::string tensorsPath = result.checkpointDir + "/trainable.safetensors";
    const double scale = parseCheckpointLoraScale(contents.stateJson, result.checkpointDir + "/state.json");
    std::ostringstream scales;
    scales << "its LoRA scale is " << scale << ", this run's " << model.loraScale() << " (set --lora-scale or --lora-alpha to match)";
    core::require(std::abs(scale - model.loraScale()) <= 1e-12 * std::max(1.0, std::abs(scale)), core::ErrorCode::InvalidConfig,
                  result.checkpointDir + ": " + scales.str());
    core::require(!contents.trainable.empty(), core::ErrorCode::MissingWeights, tensorsPath + ": holds no tensors");
    model.loadState(contents.trainable, false, tensorsPath);
    result.loadedTensors = static_cast<int64_t>(contents.trainable.size());
    result.freshTensors = static_cast<int64_t>(model.params().size()) - result.loadedTensors;
    return result;
}

} // namespace vora::training
