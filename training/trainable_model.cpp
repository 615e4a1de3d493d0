#include "training/trainable_model.h"

#include "core/error.h"
#include "core/model/parameter_names.h"

#include <torch/torch.h>

#include <cmath>

namespace vora::training {
namespace {

namespace param = core::param;

// Kaiming-uniform with a = sqrt(5) on a [out, in] (or conv) weight: U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// PyTorch's default for nn.Linear / nn.Conv2d weights and VoRA's lora_A init.
at::Tensor kaimingUniform(std::vector<int64_t> shape, int64_t fanIn)
{
    const double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
    return torch::empty(shape, torch::kFloat).uniform_(-bound, bound);
}

} // namespace

std::unique_ptr<TrainableModel> TrainableModel::create(const TrainOptions& options)
{
    auto result = std::unique_ptr<TrainableModel>(new TrainableModel());
    TrainableModel& t = *result;
    t.m_loraScale = options.effectiveLoraScale();
    const bool full = !options.trainsLora();
    core::ModelLoadOptions load;
    load.device = options.device;
    load.dtype = options.dtype;
    load.mergeLora = full; // LoRA training continues a base's unmerged adapter
    load.loraScale = t.m_loraScale;
    t.m_model = core::VoraModel::load(options.modelDir, load);
    core::VoraModel& model = *t.m_model;
    core::DecoderModel& decoder = model.decoder();
    const c10::Device device = model.device();
    const core::VisionAttentionMask imageAttention = resolveImageAttention(options, decoder.config);
    auto add = [&](const std::string& name, at::Tensor* slot, at::Tensor init) {
        at::Tensor master = init.to(device, torch::kFloat).detach().clone().set_requires_grad(true);
        t.m_params.push_back({name, master, slot});
    };

    if (!model.vision()) {
        core::VisionConfig vc;
        vc.imageSize = options.imageSize;
        vc.patchSize = options.patchSize;
        vc.intermediateSize = options.visionWidth;
        decoder.config.vision = vc;
        core::VisionEmbedding v;
        const int64_t c = vc.intermediateSize;
        const int64_t fanIn = 3LL * vc.patchSize * vc.patchSize;
        v.patchSize = vc.patchSize;
        v.gridSide = vc.gridSide();
        v.patchifier.proj_weight = kaimingUniform({c, 3, vc.patchSize, vc.patchSize}, fanIn);
        v.patchifier.proj_bias = kaimingUniform({c}, fanIn);
        v.patchifier.norm = {torch::ones({c}), decoder.config.rmsNormEps};
        v.pos_embed = torch::zeros({1, int64_t(vc.gridSide()) * vc.gridSide(), c}); // the reference's zeros
        v.out_proj.weight = kaimingUniform({decoder.config.hiddenSize, c}, c);
        model.vision() = v;
        t.m_freshVision = true;
    }
    // Recorded in the model's config: the trainer's collation and the merged config.json read it there.
    decoder.config.vision->attentionMask = imageAttention;
    core::VisionEmbedding& v = *model.vision();
    add(std::string(param::kVisionProjWeight), &v.patchifier.proj_weight, v.patchifier.proj_weight);
    add(std::string(param::kVisionProjBias), &v.patchifier.proj_bias, v.patchifier.proj_bias);
    add(std::string(param::kVisionNormWeight), &v.patchifier.norm.weight, v.patchifier.norm.weight);
    add(std::string(param::kVisionPosEmbed), &v.pos_embed, v.pos_embed);
    add(std::string(param::kVisionOutProj), &v.out_proj.weight, v.out_proj.weight);

    const int loraLayers = std::min<int>(options.loraLayers, decoder.config.numLayers);
    for (core::DecoderLayer& layer : decoder.layers) {
        for (auto& [slot, linear] : layer.linears()) {
            const std::string module = param::linearName(layer.index, slot);
            const bool targeted = std::find(options.loraTargets.begin(), options.loraTargets.end(), param::linearTarget(slot))
                                  != options.loraTargets.end();
            if (full) {
                add(param::weightOf(module), &linear->weight, linear->weight);
                if (linear->bias.defined()) {
                    add(param::biasOf(module), &linear->bias, linear->bias);
                }
                continue;
            }
            if (!linear->hasLora() && targeted && layer.index < loraLayers) {
                linear->loraA = kaimingUniform({options.loraRank, linear->weight.size(1)}, linear->weight.size(1));
                linear->loraB = torch::zeros({linear->weight.size(0), options.loraRank});
            }
            if (linear->hasLora()) {
                linear->loraScale = t.m_loraScale;
                add(param::loraAOf(module), &linear->loraA, linear->loraA);
                add(param::loraBOf(module), &linear->loraB, linear->loraB);
            }
        }
        if (full) {
            add(param::inputLayerNorm(layer.index), &layer.input_layernorm.weight, layer.input_layernorm.weight);
            add(param::postAttentionLayerNorm(layer.index), &layer.post_attention_layernorm.weight,
                layer.post_attention_layernorm.weight);
        }
    }
    if (full) {
        add(param::embedTokens(), &decoder.embed_tokens, decoder.embed_tokens);
        add(param::finalNorm(), &decoder.norm.weight, decoder.norm.weight);
        if (!decoder.config.tieWordEmbeddings) {
            add(param::lmHead(), &decoder.lm_head, decoder.lm_head);
        }
    }
    t.materialize();
    return result;
}

void TrainableModel::materialize()
{
    const c10::ScalarType dtype = m_model->dtype();
    for (TrainableParam& p : m_params) {
        if (p.slot) {
            *p.slot = p.master.to(dtype);
        }
    }
    core::DecoderModel& decoder = m_model->decoder();
    if (decoder.config.tieWordEmbeddings) {
        decoder.lm_head = decoder.embed_tokens;
    }
}

void TrainableModel::loadState(const std::map<std::string, at::Tensor>& tensors, bool requireAll, const std::string& source)
{
    // Every tensor is checked before any is copied: a refused file leaves the masters as they were.
    for (const auto& [name, tensor] : tensors) {
        const auto it = std::find_if(m_params.begin(), m_params.end(), [&](const TrainableParam& p) { return p.name == name; });
        core::require(it != m_params.end(), core::ErrorCode::InvalidConfig,
                      source + ": " + name + " is not trainable in this run (another stage, LoRA target or vision setup?)");
        core::require(tensor.sizes() == it->master.sizes(), core::ErrorCode::ShapeMismatch,
                      source + ": " + name + " has shape " + c10::str(tensor.sizes()) + ", this run's is "
                          + c10::str(it->master.sizes()) + " (another --lora-rank or vision setup?)");
        core::require(tensor.is_floating_point(), core::ErrorCode::CorruptFile, source + ": " + name + " is not a float tensor");
    }
    torch::NoGradGuard noGrad;
    for (TrainableParam& p : m_params) {
        const auto it = tensors.find(p.name);
        if (it == tensors.end()) {
            core::require(!requireAll, core::ErrorCode::MissingWeights, source + ": lacks " + p.name);
            continue;
        }
        p.master.copy_(it->second);
    }
    materialize();
}

std::map<std::string, at::Tensor> TrainableModel::stateDict() const
{
    std::map<std::string, at::Tensor> out;
    for (const TrainableParam& p : m_params) {
        out[p.name] = p.master.detach();
    }
    return out;
}

int64_t TrainableModel::trainableElements() const
{
    int64_t total = 0;
    for (const TrainableParam& p : m_params) {
        total += p.master.numel();
    }
    return total;
}

} // namespace vora::training
