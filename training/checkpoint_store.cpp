#include "training/checkpoint_store.h"

#include "core/error.h"
#include "core/model/weight_loader.h"
#include "core/safetensors/safetensors_file.h"
#include "core/safetensors/safetensors_writer.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

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

void syncPath(const std::string& path, bool directory)
{
    const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    core::require(fd >= 0, core::ErrorCode::Io, path + ": cannot open to sync");
    const int rc = ::fsync(fd);
    ::close(fd);
    core::require(rc == 0, core::ErrorCode::Io, path + ": fsync failed");
}

void writeTextFile(const std::string& path, const std::string& text)
{
    const std::string temp = path + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
        core::require(out.good(), core::ErrorCode::Io, temp + ": cannot write");
    }
    syncPath(temp, false);
    fs::rename(temp, path);
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
    core::writeSafetensors(path, entries, {{"format", "pt"}});
    syncPath(path, false);
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
    fs::create_directories(root);
    const fs::path final = root / stepName(step);
    const fs::path temp = root / (".tmp-" + stepName(step));
    fs::remove_all(temp);
    fs::create_directories(temp);
    saveTensorFile((temp / "trainable.safetensors").string(), contents.trainable);
    saveTensorFile((temp / "optimizer.safetensors").string(), contents.optimizer);
    writeTextFile((temp / "state.json").string(), contents.stateJson);
    syncPath(temp.string(), true);
    fs::remove_all(final);
    fs::rename(temp, final);
    syncPath(root.string(), true);
    writeTextFile((fs::path(outDir) / "latest").string(), "checkpoints/" + stepName(step) + "\n");
    syncPath(outDir, true);
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
        std::error_code error;
        fs::remove_all(steps[i], error);
        core::require(!error, core::ErrorCode::Io, steps[i].string() + ": cannot delete an old checkpoint: " + error.message());
        deleted.push_back(steps[i].string());
    }
    return deleted;
}

} // namespace vora::training
