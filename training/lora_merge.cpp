#include "training/lora_merge.h"

#include "core/error.h"
#include "core/generation/attention_mask.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/weight_loader.h"
#include "core/safetensors/checkpoint_files.h"
#include "training/checkpoint_store.h"
#include "training/trainable_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vora::training {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string readText(const fs::path& path)
{
    std::ifstream in(path);
    core::require(in.good(), core::ErrorCode::FileNotFound, path.string() + ": cannot read");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string canonicalName(const std::string& name)
{
    for (const char* prefix : {"llm.", "vision_embedding.", "aux_vision."}) {
        if (name.rfind(prefix, 0) == 0) {
            return name;
        }
    }
    return "llm." + name;
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::map<std::string, at::Tensor> mergedTensors(const std::string& modelDir, const CheckpointContents& ckpt,
                                                double scale, int& mergedLinears)
{
    const core::CheckpointFiles base = core::CheckpointFiles::open(modelDir);
    std::map<std::string, at::Tensor> all;
    for (const std::string& name : base.names()) {
        const std::string canonical = canonicalName(name);
        if (canonical.rfind("aux_vision.", 0) == 0 || name.find("rotary_emb.inv_freq") != std::string::npos) {
            continue;
        }
        all[canonical] = core::readTensor(*base.find(name), c10::Device(c10::kCPU), at::kFloat);
    }
    for (const auto& [name, tensor] : ckpt.trainable) {
        if (name.rfind("aux_vision.", 0) != 0) {
            all[name] = tensor.to(torch::kCPU, torch::kFloat);
        }
    }
    std::map<std::string, at::Tensor> out;
    for (const auto& [name, tensor] : all) {
        if (endsWith(name, ".lora_A.weight") || endsWith(name, ".lora_B.weight")) {
            continue;
        }
        out[name] = tensor;
    }
    for (const auto& [name, a] : all) {
        if (!endsWith(name, ".lora_A.weight")) {
            continue;
        }
        const std::string module = name.substr(0, name.size() - std::string(".lora_A.weight").size());
        const auto b = all.find(module + ".lora_B.weight");
        const auto w = out.find(module + ".weight");
        core::require(b != all.end() && w != out.end(), core::ErrorCode::MissingWeights,
                      module + ": a LoRA pair needs lora_B and the base weight");
        const at::Tensor merged = w->second + torch::matmul(b->second, a) * scale;
        core::require(torch::isfinite(merged).all().item<bool>(), core::ErrorCode::Internal,
                      module + ": merging produced non-finite weights");
        w->second = merged;
        ++mergedLinears;
    }
    return out;
}

// The reference's config words: "bidirectional", and "default" for plain causal attention.
std::string visionAttentionMaskName(core::VisionAttentionMask mode)
{
    return mode == core::VisionAttentionMask::Causal ? "default" : "bidirectional";
}

json mergedConfig(const std::string& modelDir, const TrainOptions& trained, const std::string& dtypeName)
{
    json config = json::parse(readText(fs::path(modelDir) / "config.json"));
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
        const bool mlp = t == "gate_proj" || t == "up_proj" || t == "down_proj";
        targets.push_back((mlp ? "mlp." : "self_attn.") + t);
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

int writeShards(const std::string& outDir, const std::map<std::string, at::Tensor>& tensors, c10::ScalarType dtype,
                int64_t shardBytes)
{
    std::vector<std::map<std::string, at::Tensor>> shards(1);
    int64_t used = 0;
    for (const auto& [name, tensor] : tensors) {
        const at::Tensor converted = tensor.to(dtype).contiguous();
        if (used > 0 && used + converted.nbytes() > static_cast<uint64_t>(shardBytes)) {
            shards.emplace_back();
            used = 0;
        }
        shards.back()[name] = converted;
        used += static_cast<int64_t>(converted.nbytes());
    }
    json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", json::object()}};
    int64_t total = 0;
    const int count = static_cast<int>(shards.size());
    for (int i = 0; i < count; ++i) {
        char file[64];
        std::snprintf(file, sizeof file, "model-%05d-of-%05d.safetensors", i + 1, count);
        saveTensorFile((fs::path(outDir) / file).string(), shards[static_cast<size_t>(i)]);
        for (const auto& [name, tensor] : shards[static_cast<size_t>(i)]) {
            index["weight_map"][name] = file;
            total += static_cast<int64_t>(tensor.nbytes());
        }
    }
    index["metadata"]["total_size"] = total;
    std::ofstream(fs::path(outDir) / "model.safetensors.index.json") << index.dump(2) << "\n";
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

} // namespace

MergeReport mergeCheckpoint(const MergeOptions& options)
{
    MergeReport report;
    report.checkpointDir = resolveCheckpointDir(options.checkpoint);
    const CheckpointContents ckpt = readCheckpoint(report.checkpointDir, c10::Device(c10::kCPU));
    const json state = json::parse(ckpt.stateJson);
    const double scale = state.value("lora_scale", 1.0);
    TrainOptions trained;
    applyTrainConfigJson(trained, state.value("options", json::object()).dump(), report.checkpointDir + "/state.json options");
    core::require(fs::path(options.outDir) != fs::path(options.modelDir), core::ErrorCode::InvalidArgument,
                  "--out must differ from --model");
    fs::create_directories(options.outDir);

    const json baseConfig = json::parse(readText(fs::path(options.modelDir) / "config.json"));
    std::string dtypeName;
    const c10::ScalarType dtype = outputDtype(options.dtype, baseConfig, dtypeName);
    const auto tensors = mergedTensors(options.modelDir, ckpt, scale, report.mergedLinears);
    report.tensors = static_cast<int64_t>(tensors.size());
    report.shards = writeShards(options.outDir, tensors, dtype, options.shardBytes);
    std::ofstream(fs::path(options.outDir) / "config.json") << mergedConfig(options.modelDir, trained, dtypeName).dump(2) << "\n";
    std::vector<fs::path> sources = {options.modelDir};
    if (!trained.tokenizerPath.empty()) {
        sources.push_back(trained.tokenizerPath);
    }
    for (const fs::path& source : sources) {
        if (!fs::is_directory(source)) {
            continue;
        }
        for (const auto& entry : fs::directory_iterator(source)) {
            const std::string file = entry.path().filename().string();
            if (entry.is_regular_file() && !endsWith(file, ".safetensors") && file != "config.json"
                && file != "model.safetensors.index.json") {
                fs::copy_file(entry.path(), fs::path(options.outDir) / file, fs::copy_options::overwrite_existing);
            }
        }
    }

    if (options.probe) {
        TrainOptions unmerged = trained;
        unmerged.modelDir = options.modelDir;
        unmerged.device = "cpu";
        unmerged.dtype = "float32";
        auto reference = TrainableModel::create(unmerged);
        std::map<std::string, at::Tensor> weights;
        for (const auto& [name, tensor] : ckpt.trainable) {
            if (name.rfind("aux_vision.", 0) != 0) {
                weights[name] = tensor;
            }
        }
        reference->loadState(weights, false);
        core::ModelLoadOptions load;
        load.dtype = "float32";
        auto merged = core::VoraModel::load(options.outDir, load);
        const int side = merged->config().vision->imageSize;
        const at::Tensor pixels = at::randn({3, side, side}, at::detail::createCPUGenerator(1234));
        const at::Tensor a = probeLogits(reference->model(), pixels);
        const at::Tensor b = probeLogits(*merged, pixels);
        report.maxLogitDiff = (a - b).abs().max().item<double>();
        report.maxLogit = a.abs().max().item<double>();
    }
    return report;
}

} // namespace vora::training
