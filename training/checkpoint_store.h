#pragma once
// Training checkpoints on disk, written so that a crash at any moment leaves the previous one usable:
//   OUT/checkpoints/step-NNNNNNNN/trainable.safetensors   trainable weights, official key names, float32
//   OUT/checkpoints/step-NNNNNNNN/optimizer.safetensors   AdamW moments (<name>.exp_avg / .exp_avg_sq), RNG state
//   OUT/checkpoints/step-NNNNNNNN/state.json              step, data position, schedule, LoRA scale, options
//   OUT/latest                                            "checkpoints/step-NNNNNNNN", written last
// A checkpoint directory is filled under a temporary name, each file fsynced, then renamed; `latest`
// is replaced by rename after that. Readers resolve a run folder through `latest`.
#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace vora::training {

// Tensors are written from CPU copies in their own dtype (F32, BF16, F16, I64, U8). fsyncs the file.
void saveTensorFile(const std::string& path, const std::map<std::string, at::Tensor>& tensors);
// Loads every tensor of a file to device, keeping its stored dtype.
std::map<std::string, at::Tensor> loadTensorFile(const std::string& path, c10::Device device);

struct CheckpointContents {
    std::map<std::string, at::Tensor> trainable;
    std::map<std::string, at::Tensor> optimizer;
    std::string stateJson;
};

// Returns the final directory. Throws core::Error(Io).
std::string writeCheckpoint(const std::string& outDir, int64_t step, const CheckpointContents& contents);
// runOrCheckpoint: a run folder (with `latest`) or a checkpoint folder. Throws FileNotFound.
std::string resolveCheckpointDir(const std::string& runOrCheckpoint);
CheckpointContents readCheckpoint(const std::string& checkpointDir, c10::Device device);
// Deletes all but the newest `keep` step checkpoints of a run folder (keep > 0), never the one `latest`
// names. Returns the folders deleted. Throws core::Error(Io) when one cannot be removed.
std::vector<std::string> pruneCheckpoints(const std::string& outDir, int64_t keep);

} // namespace vora::training
