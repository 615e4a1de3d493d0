#include "core/cuda/decode_step.h"

#include "core/cuda/decode_kernels.h"
#include "core/cuda/torch_interop.h"
#include "core/error.h"
#include "core/model/kv_cache.h"
#include "core/model/vora_model.h"

#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/torch.h>

#include <algorithm>

namespace vora::core {
namespace {

using cuda::currentStream;
using cuda::elementTypeOf;

void check(cudaError_t status, const char* what) { cuda::requireLaunched(status, std::string("decode step, ") + what); }

constexpr int kCublas = -1;

// x: [1, K], y: [1, N]; the own kernel's variant, or cuBLAS (kCublas) through the op eager at::linear uses
// ([1, K] input).
void product(const Linear& linear, const at::Tensor& x, at::Tensor y, int variant, bool overlap)
{
    const auto type = elementTypeOf(linear.weight.scalar_type());
    const auto n = static_cast<int>(linear.weight.size(0));
    const auto k = static_cast<int>(linear.weight.size(1));
    if (variant != kCublas && cuda::gemvFits(type, linear.weight.data_ptr(), x.data_ptr(), k)) {
        check(cuda::launchGemv(type, linear.weight.data_ptr(), x.data_ptr(),
                               linear.bias.defined() ? linear.bias.data_ptr() : nullptr, y.data_ptr(), n, k,
                               cuda::Launch(currentStream(), overlap), variant),
              "gemv");
    } else {
        cuda::linearInto(linear, x, y);
    }
}

// y = SwiGLU of linear's gate and up halves ([1, 2I] -> [1, I]): the own kernel's gated form where the variant
// has one, else the product into gateUp ([1, 2I]) and the SwiGLU kernel (the same bits for an own variant).
void gatedProduct(const Linear& linear, const at::Tensor& x, const at::Tensor& gateUp, const at::Tensor& y, int variant,
                  bool overlap)
{
    const auto type = elementTypeOf(linear.weight.scalar_type());
    const auto n = static_cast<int>(linear.weight.size(0) / 2);
    const auto k = static_cast<int>(linear.weight.size(1));
    const cuda::Launch launch(currentStream(), overlap);
    if (variant != kCublas && cuda::gemvVariantGates(variant)
        && cuda::gemvFits(type, linear.weight.data_ptr(), x.data_ptr(), k)) {
        check(cuda::launchGatedGemv(type, linear.weight.data_ptr(), x.data_ptr(),
                                    linear.bias.defined() ? linear.bias.data_ptr() : nullptr, y.data_ptr(), n, k, launch,
                                    variant),
              "gated gemv");
        return;
    }
    product(linear, x, gateUp, variant, overlap);
    check(cuda::launchSwiGlu(type, gateUp.data_ptr(), y.data_ptr(), n, launch), "swiglu");
}

} // namespace

std::string DecodeStep::whyNot(const VoraModel& model)
{
    if (!model.device().is_cuda()) {
        return "the model is not on a CUDA device";
    }
    const auto type = model.dtype();
    if (type != at::kFloat && type != at::kBFloat16 && type != at::kHalf) {
        return "unsupported dtype";
    }
    const ModelConfig& c = model.config();
    if (c.hiddenSize > cuda::addRmsNormMaxSize()) {
        return "the decode norm kernel takes at most " + std::to_string(cuda::addRmsNormMaxSize())
            + " hidden units, not " + std::to_string(c.hiddenSize);
    }
    if (c.numKeyValueHeads <= 0 || c.numHeads % c.numKeyValueHeads != 0
        || !cuda::decodeAttentionSupports(static_cast<int>(c.headDim), c.numHeads / c.numKeyValueHeads)) {
        return "the decode attention kernel has no variant for head size " + std::to_string(c.headDim) + " and "
            + std::to_string(c.numHeads) + "/" + std::to_string(c.numKeyValueHeads) + " heads";
    }
    for (const DecoderLayer& layer : model.decoder().layers) {
        if (!layer.self_attn.qkv_proj.weight.defined() || !layer.mlp.gate_up_proj.weight.defined()
            || layer.self_attn.o_proj.hasLora() || layer.mlp.down_proj.hasLora()) {
            return "LoRA runs unmerged (the decode step needs stacked, merged projections)";
        }
    }
    return "";
}

DecodeStep::DecodeStep(const VoraModel& model, DecodeGemv gemv, bool overlapLaunches)
    : m_model(model)
{
    const std::string reason = whyNot(model);
    require(reason.empty(), ErrorCode::InvalidArgument, "CUDA decode step: " + reason);
    // The kernels are launched on the current device's stream (not by the tensors' device as at:: ops are):
    // every entry point makes the model's device current, whatever device the calling thread has.
    const c10::cuda::CUDAGuard device(model.device());
    const ModelConfig& c = model.config();
    const auto on = at::TensorOptions().device(model.device());
    const auto dtype = model.dtype();
    const int64_t layers = c.numLayers;
    const int64_t qWidth = c.numHeads * c.headDim;
    const int64_t intermediate = model.decoder().layers.front().mlp.gate_up_proj.weight.size(0) / 2;
    token = at::zeros({1}, on.dtype(at::kLong));
    position = at::zeros({1}, on.dtype(at::kLong));
    cacheTable = at::zeros({2 * layers + 1}, on.dtype(at::kLong));
    logits = at::zeros({c.vocabSize}, on.dtype(at::kFloat));
    queries = at::zeros({layers, qWidth}, on.dtype(dtype));
    rowMax = at::zeros({layers, c.numHeads}, on.dtype(at::kFloat));
    rowSum = at::zeros({layers, c.numHeads}, on.dtype(at::kFloat));
    captureTable = at::zeros({cuda::attentionCaptureTableEntries()}, on.dtype(at::kLong));
    m_residual = at::zeros({1, c.hiddenSize}, on.dtype(dtype));
    m_normed = at::zeros_like(m_residual);
    m_attentionOut = at::zeros_like(m_residual);
    m_down = at::zeros_like(m_residual);
    m_qkv = at::zeros({1, (c.numHeads + 2 * c.numKeyValueHeads) * c.headDim}, on.dtype(dtype));
    m_attended = at::zeros({1, qWidth}, on.dtype(dtype));
    m_gateUp = at::zeros({1, 2 * intermediate}, on.dtype(dtype));
    m_activated = at::zeros({1, intermediate}, on.dtype(dtype));
    m_vocab = at::zeros({1, c.vocabSize}, on.dtype(dtype));
    std::tie(m_cos, m_sin) = model.decoder().rope.tables(dtype);
    m_cos = m_cos.contiguous();
    m_sin = m_sin.contiguous();
    // Two slices per multiprocessor over all KV heads, at most 64 per head.
    const int processors = at::cuda::getCurrentDeviceProperties()->multiProcessorCount;
    m_splits = std::clamp(2 * processors / c.numKeyValueHeads, 1, 64);
    m_captureBlocks = 4 * processors;
    const int groups = c.numHeads / c.numKeyValueHeads;
    m_workspace = at::zeros({cuda::decodeAttentionWorkspaceFloats(c.numKeyValueHeads, groups, static_cast<int>(c.headDim),
                                                                   m_splits)},
                            on.dtype(at::kFloat));
    // Programmatic dependent launch needs compute capability 9.0 (Hopper) or later.
    m_overlap = overlapLaunches && at::cuda::getCurrentDeviceProperties()->major >= 9;
    chooseGemv(gemv);
}

void DecodeStep::chooseGemv(DecodeGemv gemv)
{
    const DecoderModel& decoder = m_model.decoder();
    std::vector<std::vector<const Linear*>> families(4);
    for (const DecoderLayer& layer : decoder.layers) {
        families[0].push_back(&layer.self_attn.qkv_proj);
        families[1].push_back(&layer.self_attn.o_proj);
        families[2].push_back(&layer.mlp.gate_up_proj);
        families[3].push_back(&layer.mlp.down_proj);
    }
    const Linear lmHead{decoder.lm_head, {}, {}, {}, 1.0};
    families.push_back({&lmHead});
    for (const auto& family : families) {
        const int64_t n = family.front()->weight.size(0);
        const int64_t k = family.front()->weight.size(1);
        // gate_up_proj runs with SwiGLU joined to it (gatedProduct): its candidates are timed that way.
        const bool gated = &family == &families[2];
        std::vector<int> candidates;
        if (gemv != DecodeGemv::Cublas) {
            for (int variant = 0; variant < cuda::gemvVariantCount(); ++variant) {
                if (!gated || cuda::gemvVariantGates(variant)) {
                    candidates.push_back(variant);
                }
            }
        }
        if (gemv != DecodeGemv::Vora) {
            candidates.push_back(kCublas);
        }
        int best = candidates.front();
        if (candidates.size() > 1) {
            // Time each on real weights, back to back as the step launches them, rotating over the layers so
            // the L2 cache holds none of them; the fastest of three rounds counts.
            const at::Tensor x = at::randn({1, k}, m_residual.options()) * 0.1;
            const at::Tensor y = at::empty({1, n}, m_residual.options());
            const at::Tensor activated = at::empty({1, n / 2}, m_residual.options());
            auto launchOne = [&](size_t i, int variant) {
                const Linear& linear = *family[i % family.size()];
                if (gated) {
                    gatedProduct(linear, x, y, activated, variant, m_overlap);
                } else {
                    product(linear, x, y, variant, m_overlap);
                }
            };
            auto milliseconds = [&](int variant) {
                for (int i = 0; i < 3; ++i) {
                    launchOne(static_cast<size_t>(i), variant);
                }
                float fastest = 0.f;
                for (int round = 0; round < 3; ++round) {
                    at::cuda::CUDAEvent begin(cudaEventDefault);
                    at::cuda::CUDAEvent end(cudaEventDefault);
                    begin.record();
                    for (int i = 0; i < 20; ++i) {
                        launchOne(static_cast<size_t>(i), variant);
                    }
                    end.record();
                    end.synchronize();
                    const float elapsed = begin.elapsed_time(end);
                    fastest = round == 0 ? elapsed : std::min(fastest, elapsed);
                }
                return fastest;
            };
            float bestTime = 0.f;
            for (int variant : candidates) {
                const float time = milliseconds(variant);
                if (variant == candidates.front() || time < bestTime) {
                    best = variant;
                    bestTime = time;
                }
            }
        }
        m_gemvChoices.push_back({{n, k}, best});
    }
}

int DecodeStep::gemvVariantFor(int64_t n, int64_t k) const
{
    for (const auto& [shape, variant] : m_gemvChoices) {
        if (shape == std::make_pair(n, k)) {
            return variant;
        }
    }
    return kCublas;
}

std::string DecodeStep::gemvDescription() const
{
    const auto own = std::count_if(m_gemvChoices.begin(), m_gemvChoices.end(),
                                   [](const auto& c) { return c.second != kCublas; });
    std::string text = own == 0 ? "cublas"
        : own == static_cast<long>(m_gemvChoices.size())
        ? "vora-gemv"
        : "vora-gemv " + std::to_string(own) + "/" + std::to_string(m_gemvChoices.size()) + " shapes";
    if (own > 0) {
        text += " (";
        for (const auto& [shape, variant] : m_gemvChoices) {
            text += (&shape == &m_gemvChoices.front().first ? "" : ", ") + std::to_string(shape.first) + "x"
                + std::to_string(shape.second) + ": " + (variant == kCublas ? "cublas" : cuda::gemvVariantName(variant))
                + (&shape == &m_gemvChoices[2].first && cuda::gemvVariantGates(variant) ? " + SwiGLU" : "");
        }
        text += ")";
    }
    return text + (m_overlap ? ", overlapped launches" : "");
}

void DecodeStep::bind(const KvCache& cache)
{
    const c10::cuda::CUDAGuard device(m_model.device());
    const ModelConfig& c = m_model.config();
    require(cache.numLayers() == c.numLayers, ErrorCode::Internal, "KV cache of another model");
    cuda::writeCacheTable(cacheTable, cache, m_model.device(), m_model.dtype());
}

void DecodeStep::project(const Linear& linear, const at::Tensor& x, const at::Tensor& y)
{
    product(linear, x, y, gemvVariantFor(linear.weight.size(0), linear.weight.size(1)), m_overlap);
}

void DecodeStep::run()
{
    // On another current device, currentStream() would be that device's and the raw launches below would
    // run there on this model's pointers: an illegal memory access (a model on cuda:0 of two GPUs).
    const c10::cuda::CUDAGuard device(m_model.device());
    const DecoderModel& decoder = m_model.decoder();
    const ModelConfig& c = m_model.config();
    const auto type = elementTypeOf(m_model.dtype());
    // Each kernel may start while the one before it ends (core/cuda/launch.cuh); the first one follows
    // the embedding gather, an ordinary launch, and the logits copy follows the last one the ordinary way.
    const cuda::Launch stream(currentStream(), m_overlap);
    const int layers = c.numLayers;
    const auto d = static_cast<int>(c.hiddenSize);
    const auto heads = c.numHeads;
    const auto kvHeads = c.numKeyValueHeads;
    const auto headDim = static_cast<int>(c.headDim);
    int64_t* table = cacheTable.data_ptr<int64_t>();
    int64_t* pos = position.data_ptr<int64_t>();

    at::index_select_out(m_residual, decoder.embed_tokens, 0, token);
    for (int l = 0; l < layers; ++l) {
        const DecoderLayer& layer = decoder.layers[static_cast<size_t>(l)];
        check(cuda::launchAddRmsNorm(type, m_residual.data_ptr(), l == 0 ? nullptr : m_down.data_ptr(),
                                     layer.input_layernorm.weight.data_ptr(), m_normed.data_ptr(), d,
                                     static_cast<float>(layer.input_layernorm.eps), stream),
              "input norm");
        project(layer.self_attn.qkv_proj, m_normed, m_qkv);
        const cuda::DecodeToken layerToken{m_qkv.data_ptr(), m_cos.data_ptr(), m_sin.data_ptr(), pos, table, l, layers,
                                      queries[l].data_ptr()};
        check(cuda::launchDecodeAttention(type, layerToken, m_attended.data_ptr(), rowMax[l].data_ptr<float>(),
                                          rowSum[l].data_ptr<float>(), m_workspace.data_ptr<float>(), heads, kvHeads,
                                          headDim, m_splits, stream),
              "decode attention");
        project(layer.self_attn.o_proj, m_attended, m_attentionOut);
        check(cuda::launchAddRmsNorm(type, m_residual.data_ptr(), m_attentionOut.data_ptr(),
                                     layer.post_attention_layernorm.weight.data_ptr(), m_normed.data_ptr(), d,
                                     static_cast<float>(layer.post_attention_layernorm.eps), stream),
              "post-attention norm");
        const Linear& gateUp = layer.mlp.gate_up_proj;
        gatedProduct(gateUp, m_normed, m_gateUp, m_activated,
                     gemvVariantFor(gateUp.weight.size(0), gateUp.weight.size(1)), m_overlap);
        project(layer.mlp.down_proj, m_activated, m_down);
    }
    check(cuda::launchAddRmsNorm(type, m_residual.data_ptr(), m_down.data_ptr(), decoder.norm.weight.data_ptr(),
                                 m_normed.data_ptr(), d, static_cast<float>(decoder.norm.eps), stream),
          "final norm");
    project(Linear{decoder.lm_head, {}, {}, {}, 1.0}, m_normed, m_vocab);
    logits.copy_(m_vocab.view({c.vocabSize}));
}

bool DecodeStep::captureSupported() const
{
    const ModelConfig& c = m_model.config();
    return cuda::attentionCaptureSupports(static_cast<int>(c.headDim), static_cast<int>(c.numHeads),
                                          static_cast<int>(c.numKeyValueHeads));
}

void DecodeStep::captureImageAttention(bool perHead)
{
    const c10::cuda::CUDAGuard device(m_model.device()); // as in run()
    const ModelConfig& c = m_model.config();
    check(cuda::launchImageAttentionCapture(elementTypeOf(m_model.dtype()), queries.data_ptr(), rowMax.data_ptr<float>(),
                                            rowSum.data_ptr<float>(), cacheTable.data_ptr<int64_t>(),
                                            position.data_ptr<int64_t>(), captureTable.data_ptr<int64_t>(),
                                            static_cast<int>(c.numLayers), static_cast<int>(c.numHeads),
                                            static_cast<int>(c.numKeyValueHeads), static_cast<int>(c.headDim), perHead,
                                            m_captureBlocks, cuda::Launch(currentStream(), false)),
          "attention capture");
}

} // namespace vora::core
