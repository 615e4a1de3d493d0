#include "training/lora_merge.h"

#include "core/error.h"
#include "core/generation/attention_mask.h"
#include "core/generation/sequence_assembly.h"
#include "core/io/bounded_read.h"
#include "core/io/durable_file.h"
#include "core/io/fault_injection.h"
#include "core/io/staging_folder.h"
#include "core/model/parameter_names.h"
#include "core/model/weight_loader.h"
#include "core/safetensors/checkpoint_files.h"
#include "training/checkpoint_state.h"
#include "training/checkpoint_store.h"
#include "training/merge_plan.h"
#include "training/trainable_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <sys/stat.h>

#include <cmath>
#include <filesystem>

namespace vora::training {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
namespace param = core::param;

json readJson(const fs::path& path, uint64_t maxBytes)
{
    try {
        return json::parse(core::readFileBounded(path.string(), maxBytes));
    } catch (const json::exception& e) {
        throw core::Error(core::ErrorCode::CorruptFile, path.string() + ": not valid JSON: " + e.what());
    }
}

// --out must be neither `folder` nor inside it, however it is spelled (a trailing slash, ./,
// symlinks, bind mounts): every existing folder on --out's resolved path is compared with `folder`
// by device and inode.
void requireOutside(const fs::path& out, const fs::path& folder, const std::string& what)
{
    struct stat protectedFolder {};
    if (::stat(folder.c_str(), &protectedFolder) != 0) {
        return; // missing: reading it fails later, naming it
    }
    std::error_code ec;
    fs::path path = fs::weakly_canonical(fs::absolute(out), ec);
    for (;;) {
        struct stat here {};
        if (::stat(path.c_str(), &here) == 0 && here.st_dev == protectedFolder.st_dev && here.st_ino == protectedFolder.st_ino) {
            throw core::Error(core::ErrorCode::InvalidArgument,
                              "--out " + out.string() + " is " + what + " " + folder.string() + " or inside it");
        }
        if (!path.has_relative_path()) {
            return;
        }
        path = path.parent_path();
    }
}

// An existing --out is taken only when it is an empty folder (nothing in it could be stale).
void requireFreshOutput(const fs::path& out)
{
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(out, ec))) {
        return;
    }
    core::require(fs::is_directory(out, ec) && fs::is_empty(out, ec), core::ErrorCode::InvalidArgument,
                  "--out " + out.string() + " exists and is not an empty folder: name a new folder");
}

// The checkpoint must have been trained on this base: state.json records the base folder; when it
// still exists, its config.json must be the one --model has.
void requireSameBase(const TrainOptions& trained, const std::string& modelDir, const std::string& checkpointDir)
{
    std::error_code ec;
    if (trained.modelDir.empty() || !fs::exists(fs::path(trained.modelDir) / "config.json", ec)) {
        return; // the tensor shapes are still checked one by one
    }
    const json recorded = readJson(fs::path(trained.modelDir) / "config.json", core::kMaxConfigFileBytes);
    const json given = readJson(fs::path(modelDir) / "config.json", core::kMaxConfigFileBytes);
    core::require(recorded == given, core::ErrorCode::InvalidArgument,
                  checkpointDir + "/state.json: the checkpoint was trained on " + trained.modelDir +
                      ", whose config.json differs from --model " + modelDir + "'s");
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The reference's config words: "bidirectional", and "default" for plain causal attention.
std::string visionAttentionMaskName(core::VisionAttentionMask mode)
{
    return mode == core::VisionAttentionMask::Causal ? "default" : "bidirectional";
}

json mergedConfig(const std::string& modelDir, const TrainOptions& trained, const std::string& dtypeName)
{
    json config = readJson(fs::path(modelDir) / "config.json", core::kMaxConfigFileBytes);
    const core::ModelConfig base = core::parseModelConfig(config.dump(), modelDir + "/config.json");
    if (!base.isVora()) {
        config["llm"] = fs::path(modelDir).filename().string();
        config["image_size"] = trained.imageSize;
        config["patch_size"] = trained.patchSize;
        config["vision_embedding_intermediate_size"] = trained.visionWidth;
        config["vision_embedding"] = "AIMv2Embedding";
    }
    // The mode the run trained with (TrainableModel resolves it the same way), so inference matches it.
    config["vision_attention_mask"] = visionAttentionMaskName(resolveImageAttention(trained, base));
    config["model_type"] = "vora";
    config["architectures"] = {"VoRAForCausalLM"};
    config["aux_vision"] = "";
    json targets = json::array();
    for (const std::string& t : trained.loraTargets) {
        const auto slot = param::linearSlotOfTarget(t);
        core::require(slot.has_value(), core::ErrorCode::InvalidConfig, "unknown LoRA target " + t);
        targets.push_back(param::linearModule(*slot));
    }
    config["lora"] = {{"layers", std::min(trained.loraLayers, base.numLayers)}, {"r", -1}, {"target_modules", targets}};
    config["torch_dtype"] = dtypeName;
    return config;
}

c10::ScalarType outputDtype(const std::string& requested, const json& baseConfig, std::string& name)
{
    name = requested == "auto" ? baseConfig.value("torch_dtype", "bfloat16") : requested;
    if (name == "float32") {
        return at::kFloat;
    }
    if (name == "float16") {
        return at::kHalf;
    }
    core::require(name == "bfloat16", core::ErrorCode::InvalidArgument,
                  "--dtype must be bfloat16, float32 or float16 (got " + name + ")");
    return at::kBFloat16;
}

// Writes the planned tensors in shards of at most shardBytes (a tensor larger than that gets a shard of its
// own), each tensor made when its shard is written: one shard in memory at a time, never the whole model.
int writeShards(const std::string& outDir, const MergePlan& plan, double scale, c10::ScalarType dtype,
                int64_t shardBytes)
{
    std::vector<std::vector<const PlannedTensor*>> shards(1);
    int64_t used = 0;
    for (const PlannedTensor& t : plan.tensors) {
        int64_t bytes = static_cast<int64_t>(c10::elementSize(dtype));
        for (const int64_t d : t.shape) {
            bytes *= d;
        }
        if (used > 0 && used + bytes > shardBytes) {
            shards.emplace_back();
            used = 0;
        }
        shards.back().push_back(&t);
        used += bytes;
    }
    json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", json::object()}};
    int64_t total = 0;
    const int count = static_cast<int>(shards.size());
    for (int i = 0; i < count; ++i) {
        char file[64];
        std::snprintf(file, sizeof file, "model-%05d-of-%05d.safetensors", i + 1, count);
        std::map<std::string, at::Tensor> tensors;
        for (const PlannedTensor* t : shards[static_cast<size_t>(i)]) {
            at::Tensor converted = materializeMergedTensor(*t, scale).to(dtype).contiguous();
            total += static_cast<int64_t>(converted.nbytes());
            index["weight_map"][t->name] = file;
            tensors.emplace(t->name, std::move(converted));
        }
        saveTensorFile((fs::path(outDir) / file).string(), tensors);
    }
    index["metadata"]["total_size"] = total;
    core::writeFileDurably((fs::path(outDir) / "model.safetensors.index.json").string(), index.dump(2) + "\n");
    return count;
}

// logits [L, V] float32 of the probe prompt: a few text tokens, one image, a few more text tokens.
at::Tensor probeLogits(core::VoraModel& model, const at::Tensor& pixels)
{
    torch::NoGradGuard noGrad;
    const int64_t vocab = model.config().vocabSize;
    core::PromptInput prompt;
    prompt.ids = {1 % vocab, 7 % vocab, 11 % vocab, core::kImageTokenSentinel, 13 % vocab, 17 % vocab, 19 % vocab};
    core::ImagePixels image;
    image.height = static_cast<int>(pixels.size(1));
    image.width = static_cast<int>(pixels.size(2));
    image.chw.assign(pixels.data_ptr<float>(), pixels.data_ptr<float>() + pixels.numel());
    prompt.images.push_back(image);
    const core::AssembledSequence sequence = core::assembleSequence(model, prompt);
    const core::AttentionMaskSpec mask =
        core::buildAttentionMask(sequence.isImage, 0, model.config().vision->attentionMask);
    const at::Tensor hidden = model.decoder().forward(sequence.embeddings, 0, mask, nullptr);
    return model.decoder().logits(hidden)[0].to(torch::kFloat);
}

// The base's side files (tokenizer, generation_config.json, ...) and the run's tokenizer, written
// durably into the folder being built.
void copySideFiles(const std::string& modelDir, const std::string& tokenizerPath, const fs::path& into)
{
    std::vector<fs::path> sources = {modelDir};
    if (!tokenizerPath.empty()) {
        sources.push_back(tokenizerPath);
    }
    for (const fs::path& source : sources) {
        if (!fs::is_directory(source)) {
            continue;
        }
        for (const auto& entry : fs::directory_iterator(source)) {
            const std::string file = entry.path().filename().string();
            if (entry.is_regular_file() && !endsWith(file, ".safetensors") && file != "config.json"
                && file != "model.safetensors.index.json") {
                core::writeFileDurably((into / file).string(),
                                       core::readFileBounded(entry.path().string(), core::kMaxTokenizerFileBytes));
            }
        }
    }
}

// The largest |logit| difference between the written folder (as VoraModel::load reads it) and
// the unmerged base + checkpoint.
void probe(const std::string& modelDir, const TrainOptions& trained, const CheckpointContents& ckpt,
           const std::string& writtenDir, MergeReport& report)
{
    TrainOptions unmerged = trained;
    unmerged.modelDir = modelDir;
    unmerged.device = "cpu";
    unmerged.dtype = "float32";
    auto reference = TrainableModel::create(unmerged);
    std::map<std::string, at::Tensor> weights;
    for (const auto& [name, tensor] : ckpt.trainable) {
        if (!param::isTeacherName(name)) {
            weights[name] = tensor;
        }
    }
    reference->loadState(weights, false, report.checkpointDir + "/trainable.safetensors");
    core::ModelLoadOptions load;
    load.dtype = "float32";
    auto merged = core::VoraModel::load(writtenDir, load);
    const int side = merged->config().vision->imageSize;
    const at::Tensor pixels = at::randn({3, side, side}, at::detail::createCPUGenerator(1234));
    const at::Tensor a = probeLogits(reference->model(), pixels);
    const at::Tensor b = probeLogits(*merged, pixels);
    report.maxLogitDiff = (a - b).abs().max().item<double>();
    report.maxLogit = a.abs().max().item<double>();
}

} // namespace

// Everything is read and checked before anything is written; the model is built in a staging
// folder beside --out and renamed to --out only once complete and loadable, so a failed or killed
// merge leaves nothing that looks like a model.
MergeReport mergeCheckpoint(const MergeOptions& options)
{
    MergeReport report;
    const fs::path out(options.outDir);
    requireOutside(out, options.modelDir, "the --model folder");
    requireFreshOutput(out);
    requireOutside(out, options.checkpoint, "the checkpoint folder"); // a run folder, or one checkpoint
    report.checkpointDir = resolveCheckpointDir(options.checkpoint);
    const CheckpointContents ckpt = readCheckpoint(report.checkpointDir, c10::Device(c10::kCPU));
    const std::string statePath = report.checkpointDir + "/state.json";
    json state;
    try {
        state = json::parse(ckpt.stateJson);
    } catch (const json::exception& e) {
        throw core::Error(core::ErrorCode::CorruptFile, statePath + ": not valid JSON: " + e.what());
    }
    core::require(state.is_object(), core::ErrorCode::CorruptFile, statePath + ": must hold a JSON object");
    const double scale = parseCheckpointLoraScale(ckpt.stateJson, statePath);
    TrainOptions trained;
    applyTrainConfigJson(trained, state.value("options", json::object()).dump(), statePath + " options");
    requireSameBase(trained, options.modelDir, report.checkpointDir);

    const json baseConfig = readJson(fs::path(options.modelDir) / "config.json", core::kMaxConfigFileBytes);
    std::string dtypeName;
    const c10::ScalarType dtype = outputDtype(options.dtype, baseConfig, dtypeName);
    const json config = mergedConfig(options.modelDir, trained, dtypeName);
    const core::CheckpointFiles base = core::CheckpointFiles::open(options.modelDir);
    const MergePlan plan = planMerge(base, ckpt.trainable);
    report.mergedLinears = plan.mergedLinears;
    report.tensors = static_cast<int64_t>(plan.tensors.size());

    core::StagingFolder staging(out);
    report.shards = writeShards(staging.path().string(), plan, scale, dtype, options.shardBytes);
    core::faultPoint("merge.shards_written");
    core::writeFileDurably((staging.path() / "config.json").string(), config.dump(2) + "\n");
    copySideFiles(options.modelDir, trained.tokenizerPath, staging.path());

    if (options.probe) {
        probe(options.modelDir, trained, ckpt, staging.path().string(), report);
    }
    std::error_code ec;
    fs::remove(out, ec); // an empty folder (requireFreshOutput): the complete one takes its name
    staging.commit();
    core::faultPoint("merge.complete");
    return report;
}

} // namespace vora::training
