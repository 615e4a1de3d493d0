#include "core/model/vora_model.h"

#include "core/device/cuda_devices.h"
#include "core/error.h"
#include "core/model/parameter_names.h"
#include "core/model/weight_loader.h"

#include <torch/torch.h>

#include <unistd.h>

#include <chrono>
#include <sstream>

namespace vora::core {
namespace {

struct LinearSpec {
    std::string name; // the module's official name, e.g. "llm.model.layers.3.self_attn.q_proj"
    int64_t out = 0;
    int64_t in = 0;
    bool biasRequired = false;
};

class ModelBuilder {
public:
    ModelBuilder(WeightLoader& loader, const ModelLoadOptions& options, c10::ScalarType dtype, LoadReport& report)
        : m_loader(loader), m_options(options), m_dtype(dtype), m_report(report) {}

    Linear linear(const LinearSpec& spec)
    {
        Linear layer;
        const std::string a = param::loraAOf(spec.name);
        const std::string b = param::loraBOf(spec.name);
        const bool hasLora = m_loader.has(a) || m_loader.has(b);
        const bool merge = hasLora && m_options.mergeLora;
        layer.weight = m_loader.take(param::weightOf(spec.name), {spec.out, spec.in}, merge ? at::kFloat : m_dtype);
        if (spec.biasRequired) {
            layer.bias = m_loader.take(param::biasOf(spec.name), {spec.out});
        } else if (auto bias = m_loader.takeOptional(param::biasOf(spec.name), {spec.out})) {
            layer.bias = *bias;
        }
        if (hasLora) {
            require(m_loader.has(a) && m_loader.has(b), ErrorCode::MissingWeights,
                    spec.name + ": lora_A and lora_B must come together");
            const auto shapeA = m_loader.storedShape(a);
            require(shapeA.size() == 2 && shapeA[1] == spec.in && shapeA[0] > 0, ErrorCode::ShapeMismatch,
                    a + " must be [r, " + std::to_string(spec.in) + "]");
            const int64_t rank = shapeA[0];
            const auto loraType = merge ? at::kFloat : m_dtype;
            layer.loraA = m_loader.take(a, {rank, spec.in}, loraType);
            layer.loraB = m_loader.take(b, {spec.out, rank}, loraType);
            layer.loraScale = m_options.loraScale;
            if (merge) {
                layer.mergeLora();
                layer.weight = layer.weight.to(m_dtype);
                ++m_mergedLinears;
            } else {
                ++m_unmergedLinears;
            }
        }
        return layer;
    }

    int mergedLinears() const { return m_mergedLinears; }
    int unmergedLinears() const { return m_unmergedLinears; }

private:
    WeightLoader& m_loader;
    const ModelLoadOptions& m_options;
    c10::ScalarType m_dtype;
    LoadReport& m_report;
    int m_mergedLinears = 0;
    int m_unmergedLinears = 0;
};

int64_t availableBytes(c10::Device device)
{
    if (device.is_cuda()) {
        for (const ComputeDevice& gpu : cudaDevices()) {
            if (gpu.id == "cuda:" + std::to_string(device.index())) {
                return gpu.freeMemoryBytes > 0 ? gpu.freeMemoryBytes : gpu.totalMemoryBytes;
            }
        }
        return 0;
    }
    return static_cast<int64_t>(sysconf(_SC_AVPHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
}

std::string gib(int64_t bytes)
{
    std::ostringstream out;
    out.precision(2);
    out << std::fixed << static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0) << " GiB";
    return out.str();
}

void checkFits(const CheckpointFiles& checkpoint, c10::Device device, c10::ScalarType dtype, const std::string& dir)
{
    int64_t elements = 0;
    for (const std::string& name : checkpoint.names()) {
        if (!param::isTeacherName(name)) {
            elements += checkpoint.find(name)->info->elementCount();
        }
    }
    const int64_t needed = elements * static_cast<int64_t>(c10::elementSize(dtype));
    const int64_t available = availableBytes(device);
    require(available == 0 || needed <= available, ErrorCode::OutOfMemory,
            dir + ": the weights need " + gib(needed) + " as " + dtypeDisplayName(dtype) + " but " + device.str()
                + " has " + gib(available) + " free");
}

DecoderLayer loadLayer(ModelBuilder& build, WeightLoader& loader, const ModelConfig& c, int index)
{
    const int64_t d = c.hiddenSize;
    DecoderLayer layer;
    layer.index = index;
    layer.input_layernorm = {loader.take(param::inputLayerNorm(index), {d}), c.rmsNormEps};
    layer.post_attention_layernorm = {loader.take(param::postAttentionLayerNorm(index), {d}), c.rmsNormEps};
    auto& attn = layer.self_attn;
    attn.numHeads = c.numHeads;
    attn.numKvHeads = c.numKeyValueHeads;
    attn.headDim = c.headDim;
    for (auto& [slot, linear] : layer.linears()) {
        using param::LinearSlot;
        const bool attentionInput = slot == LinearSlot::QProj || slot == LinearSlot::KProj || slot == LinearSlot::VProj;
        const bool mlp = slot == LinearSlot::GateProj || slot == LinearSlot::UpProj || slot == LinearSlot::DownProj;
        const param::LinearShape shape = param::linearShape(slot, c);
        *linear = build.linear({param::linearName(index, slot), shape.out, shape.in,
                                attentionInput ? c.attentionBias : (mlp && c.mlpBias)});
    }
    return layer;
}

VisionEmbedding loadVision(WeightLoader& loader, const ModelConfig& c)
{
    const VisionConfig& v = *c.vision;
    const int64_t width = v.intermediateSize;
    VisionEmbedding vision;
    vision.patchSize = v.patchSize;
    vision.gridSide = v.gridSide();
    vision.patchifier.proj_weight = loader.take(std::string(param::kVisionProjWeight), {width, 3, v.patchSize, v.patchSize});
    vision.patchifier.proj_bias = loader.take(std::string(param::kVisionProjBias), {width});
    vision.patchifier.norm = {loader.take(std::string(param::kVisionNormWeight), {width}), c.rmsNormEps};
    vision.pos_embed = loader.take(std::string(param::kVisionPosEmbed), {1, int64_t(v.gridSide()) * v.gridSide(), width});
    vision.out_proj.weight = loader.take(std::string(param::kVisionOutProj), {c.hiddenSize, width});
    return vision;
}

} // namespace

c10::Device parseDevice(const std::string& text)
{
    if (text == "cpu") {
        return c10::Device(c10::kCPU);
    }
    require(text == "cuda" || text.rfind("cuda:", 0) == 0, ErrorCode::InvalidArgument,
            "unknown device \"" + text + "\" (use cpu, cuda or cuda:N)");
    require(torch::cuda::is_available(), ErrorCode::DeviceUnavailable,
            "CUDA was asked for (" + text + ") but " + (torchBuiltWithCuda() ? "no CUDA device is visible"
                                                                             : "this LibTorch was built without CUDA"));
    int index = 0;
    if (text.size() > 5) {
        try {
            size_t used = 0;
            index = std::stoi(text.substr(5), &used);
            require(used == text.size() - 5, ErrorCode::InvalidArgument, "bad device index in " + text);
        } catch (const std::logic_error&) {
            throw Error(ErrorCode::InvalidArgument, "bad device index in " + text);
        }
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
    require(index >= 0 && index < count, ErrorCode::DeviceUnavailable,
            text + " does not exist (" + std::to_string(count) + " CUDA device(s))");
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

c10::ScalarType parseDtype(const std::string& text, c10::Device device)
{
    if (text == "auto") {
        return device.is_cuda() ? at::kBFloat16 : at::kFloat;
    }
    if (text == "float32" || text == "fp32") {
        return at::kFloat;
    }
    if (text == "bfloat16" || text == "bf16") {
        return at::kBFloat16;
    }
    if (text == "float16" || text == "fp16") {
        require(device.is_cuda(), ErrorCode::InvalidArgument, "float16 is supported on CUDA only (use float32 or bfloat16 on CPU)");
        return at::kHalf;
    }
    throw Error(ErrorCode::InvalidArgument, "unknown dtype \"" + text + "\" (use auto, float32, bfloat16 or float16)");
}

std::string dtypeDisplayName(c10::ScalarType dtype)
{
    switch (dtype) {
    case at::kFloat: return "float32";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    default: return c10::toString(dtype);
    }
}

std::unique_ptr<VoraModel> VoraModel::load(const std::string& modelDir, const ModelLoadOptions& options)
{
    const auto started = std::chrono::steady_clock::now();
    auto progress = [&](double fraction, const std::string& stage) {
        if (options.progress) {
            options.progress(fraction, stage);
        }
    };
    progress(0.0, "reading config");
    ModelConfig config = loadModelConfig(modelDir);
    const c10::Device device = parseDevice(options.device);
    const c10::ScalarType dtype = parseDtype(options.dtype, device);
    const CheckpointFiles checkpoint = CheckpointFiles::open(modelDir);
    checkFits(checkpoint, device, dtype, modelDir);

    std::unique_ptr<VoraModel> model(new VoraModel(device, dtype));
    model->m_directory = modelDir;
    WeightLoader loader(checkpoint, device, dtype);
    ModelBuilder build(loader, options, dtype, model->m_report);
    DecoderModel& decoder = model->m_decoder;
    decoder.config = config;

    progress(0.02, "embeddings");
    decoder.embed_tokens = loader.take(param::embedTokens(), {config.vocabSize, config.hiddenSize});
    for (int i = 0; i < config.numLayers; ++i) {
        progress(0.05 + 0.85 * i / config.numLayers, "layer " + std::to_string(i + 1) + " of " + std::to_string(config.numLayers));
        decoder.layers.push_back(loadLayer(build, loader, config, i));
    }
    decoder.norm = {loader.take(param::finalNorm(), {config.hiddenSize}), config.rmsNormEps};
    if (config.tieWordEmbeddings) {
        decoder.lm_head = decoder.embed_tokens;
        loader.takeOptional(param::lmHead(), {config.vocabSize, config.hiddenSize}); // saved copies of the tie
    } else {
        decoder.lm_head = loader.take(param::lmHead(), {config.vocabSize, config.hiddenSize});
    }
    if (config.isVora()) {
        progress(0.92, "vision embedding");
        model->m_vision = loadVision(loader, config);
    }

    std::vector<std::string> unexpected;
    for (const std::string& name : loader.unusedNames()) {
        if (!param::isIgnorableBuffer(name)) {
            unexpected.push_back(name);
        }
    }
    if (!unexpected.empty()) {
        std::string list;
        for (size_t i = 0; i < unexpected.size() && i < 8; ++i) {
            list += (i ? ", " : "") + unexpected[i];
        }
        throw Error(ErrorCode::InvalidConfig,
                    modelDir + ": " + std::to_string(unexpected.size()) + " weight(s) that config.json does not account for: "
                        + list + (unexpected.size() > 8 ? ", ..." : ""));
    }

    const int64_t maxPositions = options.maxContext > 0 ? options.maxContext : config.defaultContext();
    decoder.rope = RotaryEmbedding(config, maxPositions, device);
    LoadReport& report = model->m_report;
    report.parameterCount = loader.loadedElements();
    report.weightBytes = report.parameterCount * static_cast<int64_t>(c10::elementSize(dtype));
    report.loraLayersMerged = build.mergedLinears();
    report.loraLayersUnmerged = build.unmergedLinears();
    for (const std::string& name : checkpoint.names()) {
        if (param::isTeacherName(name) || param::isIgnorableBuffer(name)) {
            report.ignoredTensors.push_back(name);
        }
    }
    report.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress(1.0, "ready");
    return model;
}

} // namespace vora::core
