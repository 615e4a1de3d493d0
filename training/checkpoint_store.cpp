#include "training/checkpoint_store.h"

#include "core/error.h"
#include "core/io/durable_file.h"
#include "core/io/fault_injection.h"
#include "core/io/staging_folder.h"
#include "core/model/weight_loader.h"
#include "core/safetensors/safetensors_file.h"
#include "core/safetensors/safetensors_writer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vora::training {
namespace {

namespace fs = std::filesystem;

std::string safetensorsDtype(c10::ScalarType type)
{
    switch (type) {
    case at::kFloat: return "F32";
    case at::kBFloat16: return "BF16";
    case at::kHalf: return "F16";
    case at::kLong: return "I64";
    case at::kByte: return "U8";
    default: throw core::Error(core::ErrorCode::UnsupportedFormat, std::string("cannot save tensors of type ") + c10::toString(type));
    }
}

c10::ScalarType scalarType(core::DType type)
{
    switch (type) {
    case core::DType::F32: return at::kFloat;
    case core::DType::BF16: return at::kBFloat16;
    case core::DType::F16: return at::kHalf;
    case core::DType::I64: return at::kLong;
    case core::DType::U8: return at::kByte;
    default: throw core::Error(core::ErrorCode::UnsupportedFormat, "unexpected dtype in a training checkpoint");
    }
}

std::string stepName(int64_t step)
{
    char name[32];
    std::snprintf(name, sizeof name, "step-%08lld", static_cast<long long>(step));
    return name;
}

} // namespace

void saveTensorFile(const std::string& path, const std::map<std::string, at::Tensor>& tensors)
{
    std::vector<at::Tensor> keep;
    std::vector<core::SafetensorsEntry> entries;
    for (const auto& [name, tensor] : tensors) {
        keep.push_back(tensor.detach().to(torch::kCPU).contiguous());
        const at::Tensor& t = keep.back();
        entries.push_back({name, safetensorsDtype(t.scalar_type()), t.sizes().vec(),
                           {reinterpret_cast<const std::byte*>(t.data_ptr()), static_cast<size_t>(t.nbytes())}});
    }
    core::writeSafetensors(path, entries, {{"format", "pt"}}); // fsynced and renamed into place
}

std::map<std::string, at::Tensor> loadTensorFile(const std::string& path, c10::Device device)
{
    const auto file = core::SafetensorsFile::open(path);
    std::map<std::string, at::Tensor> out;
    for (const auto& [name, info] : file->tensors()) {
        out[name] = core::readTensor({file.get(), &info}, device, scalarType(info.dtype));
    }
    return out;
}

std::string writeCheckpoint(const std::string& outDir, int64_t step, const CheckpointContents& contents)
{
    const fs::path root = fs::path(outDir) / "checkpoints";
    const fs::path final = root / stepName(step);
    core::removeLeftoverPartials(outDir); // a `latest.partial` of a killed save
    // Built under a staging name: a killed or failed save leaves no step-N folder, and `latest`
    // moves only once the folder is complete, so it never names something incomplete.
    core::StagingFolder staging(final);
    saveTensorFile((staging.path() / "trainable.safetensors").string(), contents.trainable);
    saveTensorFile((staging.path() / "optimizer.safetensors").string(), contents.optimizer);
    core::faultPoint("checkpoint.tensors_written");
    core::writeFileDurably((staging.path() / "state.json").string(), contents.stateJson);
    core::faultPoint("checkpoint.manifest_written");
    staging.commit(core::StagingFolder::Existing::Exchange); // the same step saved again: swapped atomically
    core::faultPoint("checkpoint.complete");
    core::replaceFileDurably((fs::path(outDir) / "latest").string(), "checkpoints/" + stepName(step) + "\n");
    core::faultPoint("checkpoint.latest_updated");
    return final.string();
}

std::string resolveCheckpointDir(const std::string& runOrCheckpoint)
{
    const fs::path dir(runOrCheckpoint);
    if (fs::exists(dir / "trainable.safetensors")) {
        return dir.string();
    }
    std::ifstream latest(dir / "latest");
    core::require(latest.good(), core::ErrorCode::FileNotFound,
                  runOrCheckpoint + ": neither a checkpoint (trainable.safetensors) nor a run folder (latest)");
    std::string relative;
    std::getline(latest, relative);
    const fs::path resolved = dir / relative;
    core::require(fs::exists(resolved / "trainable.safetensors"), core::ErrorCode::FileNotFound,
                  resolved.string() + ": the checkpoint that `latest` names is missing");
    return resolved.string();
}

CheckpointContents readCheckpoint(const std::string& checkpointDir, c10::Device device)
{
    CheckpointContents contents;
    const fs::path dir(checkpointDir);
    contents.trainable = loadTensorFile((dir / "trainable.safetensors").string(), device);
    if (fs::exists(dir / "optimizer.safetensors")) {
        contents.optimizer = loadTensorFile((dir / "optimizer.safetensors").string(), device);
    }
    std::ifstream state(dir / "state.json");
    core::require(state.good(), core::ErrorCode::FileNotFound, checkpointDir + ": no state.json");
    std::stringstream text;
    text << state.rdbuf();
    contents.stateJson = text.str();
    return contents;
}

namespace {

// A checkpoint folder is flat (a few files), so it is emptied file by file and then removed. Not
// fs::remove_all: every training run on the GPU machine (gVisor kernel, GCC 13.3's libstdc++) died of a
// segfault at a null address inside pruning, before the old folder was gone; remove_all's descriptor-relative
// walk is the only call that pruning adds to what the first save already did (docs/demo-model.md, run 1).
void removeCheckpointFolder(const fs::path& folder)
{
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(folder, error)) {
        core::require(!entry.is_directory(), core::ErrorCode::Io,
                      folder.string() + ": not a checkpoint folder (it holds the folder " + entry.path().filename().string() + ")");
        fs::remove(entry.path(), error);
        core::require(!error, core::ErrorCode::Io, entry.path().string() + ": cannot delete: " + error.message());
    }
    core::require(!error, core::ErrorCode::Io, folder.string() + ": cannot list: " + error.message());
    fs::remove(folder, error);
    core::require(!error, core::ErrorCode::Io, folder.string() + ": cannot delete an old checkpoint: " + error.message());
}

} // namespace

std::vector<std::string> pruneCheckpoints(const std::string& outDir, int64_t keep)
{
    const fs::path root = fs::path(outDir) / "checkpoints";
    const fs::path latest = fs::weakly_canonical(resolveCheckpointDir(outDir));
    std::vector<fs::path> steps;
    for (const auto& entry : fs::directory_iterator(root)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory() && name.rfind("step-", 0) == 0) {
            steps.push_back(entry.path());
        }
    }
    std::sort(steps.begin(), steps.end()); // zero-padded step numbers: newest last
    std::vector<std::string> deleted;
    for (size_t i = 0; i + static_cast<size_t>(keep) < steps.size(); ++i) {
        if (fs::weakly_canonical(steps[i]) == latest) {
            continue;
        }
        removeCheckpointFolder(steps[i]);
        deleted.push_back(steps[i].string());
    }
    return deleted;
}

} // namespace vora::training
