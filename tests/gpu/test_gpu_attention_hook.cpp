// The decode step's hook for attention capture (core/cuda/decode_step.h): after one step, each layer's
// rotated query (queries[l]) and the decode attention kernel's row statistics (rowMax[l], rowSum[l]) give,
// through core/attention/image_attention.h with rowLogSumExp = rowMax + log(rowSum), the model's attention
// probabilities of that token over the image keys: the same as the explicit path's full softmax row of a
// fresh forward pass over the prompt plus the token (float32, every layer and head, every image patch), and
// normalised by the WHOLE row (over all keys they sum to 1).
#include "core/attention/image_attention.h"
#include "core/attention/image_spans.h"
#include "core/cuda/decode_step.h"
#include "core/generation/decode_graphs.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/attention_observer.h"
#include "core/model/kv_cache.h"
#include "core/runtime/attention_recorder.h"
#include "gpu_check.h"
#include "gpu_fixtures.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

using namespace vora::core;
using namespace gpu_fixtures;

namespace {

// The explicit path's probabilities of the last query row, per layer: [H, Lk].
class LastRowProbabilities : public AttentionObserver {
public:
    bool wantsLayer(int) const override { return true; }
    void onAttention(int layer, const at::Tensor& probabilities, int64_t) override
    {
        rows[layer] = probabilities[0].select(1, probabilities.size(2) - 1).to(at::kDouble).cpu();
    }
    std::map<int, at::Tensor> rows;
};

// Each image's key span (adjacent images form one run of image positions, so core cuts it by patch counts).
std::vector<KeySpan> imageKeySpans(const ModelConfig& config, const AssembledSequence& sequence, const PromptInput& prompt)
{
    std::vector<KeySpan> spans;
    for (const ImageSpan& image : imageSpans(sequence.isImage, prompt.images, config.vision->patchSize)) {
        spans.push_back({image.start, image.patches()});
    }
    return spans;
}

PromptInput twoImagePrompt()
{
    PromptInput prompt;
    for (const std::string& path : casesOf("qwen2_vora_merged")) {
        prompt = promptOf(*SafetensorsFile::open(path));
        if (prompt.images.size() >= 2) {
            break;
        }
    }
    GPU_CHECK(prompt.images.size() >= 2, "a reference prompt with two images");
    return prompt;
}

void rowStatisticsGiveTheModelsProbabilities()
{
    float32MeansFloat32();
    const auto model = loadOnCuda("qwen2_vora_merged", "float32");
    const ModelConfig& c = model->config();
    const PromptInput prompt = twoImagePrompt();

    // The prompt into a cache, then one decode step of its first token with the decode kernels.
    const AssembledSequence sequence = assembleSequence(*model, prompt);
    KvCache cache(c.numLayers, 1, c.numKeyValueHeads, sequence.length() + 1, c.headDim, model->device(), model->dtype());
    SamplingParams greedy;
    greedy.temperature = 0;
    StopCriteria one;
    one.maxNewTokens = 1;
    const GenerationOutput first = generateWithCache(*model, cache, sequence, greedy, one);
    const int64_t position = cache.length();
    DecodeStep step(*model, DecodeGemv::Vora);
    step.bind(cache);
    step.token.fill_(first.tokens.at(0));
    step.position.fill_(position);
    step.run();
    torch::cuda::synchronize();

    // The reference: the explicit path over prompt + token, its last row.
    PromptInput extended = prompt;
    extended.ids.push_back(first.tokens.at(0));
    LastRowProbabilities reference;
    promptLogits(*model, assembleSequence(*model, extended), AttentionImpl::Explicit, &reference);

    const std::vector<KeySpan> spans = imageKeySpans(c, sequence, prompt);
    GPU_CHECK(spans.size() == prompt.images.size() && spans.size() >= 2,
              "one key span per image, found " + std::to_string(spans.size()));
    int64_t compared = 0;
    double worst = 0;
    double worstRowSum = 0;
    for (int layer = 0; layer < c.numLayers; ++layer) {
        const at::Tensor query = step.queries[layer].view({c.numHeads, c.headDim});
        const at::Tensor keys = cache.keys(layer)[0].narrow(1, 0, position + 1);
        const at::Tensor logSumExp = step.rowMax[layer] + step.rowSum[layer].log();
        const at::Tensor image = imageAttentionProbabilities(query, keys, spans, logSumExp).to(at::kDouble).cpu();
        std::vector<at::Tensor> expectedParts;
        for (const KeySpan& span : spans) {
            expectedParts.push_back(reference.rows.at(layer).narrow(1, span.start, span.count));
        }
        const at::Tensor expected = at::cat(expectedParts, 1);
        worst = std::max(worst, (image - expected).abs().max().item<double>());
        compared += image.numel();
        // Normalised by the whole row: over every key the probabilities sum to 1.
        const at::Tensor all = imageAttentionProbabilities(query, keys, {{0, position + 1}}, logSumExp);
        worstRowSum = std::max(worstRowSum, (all.to(at::kDouble).sum(1) - 1).abs().max().item<double>());
    }
    std::printf("  %lld probabilities compared over %lld layers, max |diff| %.3g; row sums off by at most %.3g\n",
                static_cast<long long>(compared), static_cast<long long>(c.numLayers), worst, worstRowSum);
    GPU_CHECK(worst < 1e-5, "image probabilities from the kernel's row statistics differ by " + std::to_string(worst));
    GPU_CHECK(worstRowSum < 1e-5, "rows do not sum to 1: off by " + std::to_string(worstRowSum));
    int64_t patches = 0;
    for (const KeySpan& span : spans) {
        patches += span.count;
    }
    GPU_CHECK(compared == int64_t(c.numLayers) * c.numHeads * patches,
              "expected layers x heads x patches values, compared " + std::to_string(compared));
}

// Greedy decoding of 12 tokens with an attention recorder, on the decode graphs or eager.
struct RecordedRun {
    GenerationOutput output;
    std::vector<TokenAttention> tokens;
    std::vector<int> layers;
};

RecordedRun recordedRun(const VoraModel& model, const AssembledSequence& sequence, const std::vector<ImageSpan>& images,
                        DecodeGraphs* graphs, const std::vector<int>& layers, AttentionDetail detail)
{
    AttentionRecorder recorder(layers, detail);
    recorder.begin(images, sequence.length());
    GenerationHooks hooks;
    hooks.observer = recorder.observer();
    hooks.decodeCapture = recorder.decodeCapture();
    SamplingParams greedy;
    greedy.temperature = 0;
    StopCriteria stop; // no eos: all 12 tokens
    stop.maxNewTokens = 12;
    RecordedRun run;
    run.output = generate(model, sequence, greedy, stop, hooks, graphs);
    run.tokens = recorder.tokens();
    run.layers = recorder.recordedLayers();
    return run;
}

// Compares grid lists value by value; returns the count compared and raises worst.
int64_t compareGrids(const ImageGrids& a, const ImageGrids& b, double& worst)
{
    GPU_CHECK(a.size() == b.size(), "grid counts differ");
    int64_t compared = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        GPU_CHECK(a[i].size() == b[i].size(), "grid sizes differ");
        for (size_t j = 0; j < a[i].size() && j < b[i].size(); ++j) {
            worst = std::max(worst, double(std::abs(a[i][j] - b[i][j])));
            ++compared;
        }
    }
    return compared;
}

// The capture inside the CUDA decode graph (core/cuda/attention_capture.cu) gives what the eager fused path's
// capture gives (log-sum-exp from the keys, checked against the explicit path above and on the CPU against HF),
// for every token, recorded layer and head, two images, each detail and a layer subset; the tokens are the same.
void graphCaptureMatchesTheEagerCapture()
{
    float32MeansFloat32();
    const auto model = loadOnCuda("qwen2_vora_merged", "float32");
    const ModelConfig& c = model->config();
    const PromptInput prompt = twoImagePrompt();
    const AssembledSequence sequence = assembleSequence(*model, prompt);
    const std::vector<ImageSpan> images = imageSpans(sequence.isImage, prompt.images, c.vision->patchSize);
    int64_t patches = 0;
    for (const ImageSpan& image : images) {
        patches += image.patches();
    }
    std::string whyNot;
    const auto graphs = makeDecodeGraphs(*model, {DecodeGemv::Vora}, &whyNot);
    GPU_CHECK(graphs != nullptr, "decode graphs: " + whyNot);
    if (!graphs) {
        return;
    }
    struct Setting {
        std::vector<int> layers;
        AttentionDetail detail;
        const char* name;
    };
    const std::vector<Setting> settings = {{{}, AttentionDetail::Heads, "every layer, heads"},
                                           {{}, AttentionDetail::Layers, "every layer, head means"},
                                           {{1, c.numLayers - 1}, AttentionDetail::Heads, "layers 1 and last, heads"}};
    for (const Setting& setting : settings) {
        const RecordedRun onGraph = recordedRun(*model, sequence, images, graphs.get(), setting.layers, setting.detail);
        const RecordedRun eager = recordedRun(*model, sequence, images, nullptr, setting.layers, setting.detail);
        GPU_CHECK(onGraph.output.decodePath.rfind("cuda-graph", 0) == 0,
                  "capture ran on " + onGraph.output.decodePath + ", not in the decode graph");
        GPU_CHECK(eager.output.decodePath == "eager", "reference ran on " + eager.output.decodePath);
        // Token 0's map comes from the prefill's row: the fused-kernel prefill's against the eager forward's.
        GPU_CHECK(onGraph.output.prefillPath == "cuda-kernels", "recorded prefill ran " + onGraph.output.prefillPath);
        GPU_CHECK(eager.output.prefillPath == "eager", "reference prefill ran " + eager.output.prefillPath);
        GPU_CHECK(onGraph.output.tokens == eager.output.tokens, "the capture changed the tokens");
        GPU_CHECK(onGraph.layers == eager.layers, "recorded layers differ");
        const size_t expectedTokens = onGraph.output.tokens.size();
        GPU_CHECK(expectedTokens == 12, "12 tokens generated");
        GPU_CHECK(onGraph.tokens.size() == expectedTokens && eager.tokens.size() == expectedTokens,
                  "one map per token: " + std::to_string(onGraph.tokens.size()) + " and "
                      + std::to_string(eager.tokens.size()) + " for " + std::to_string(expectedTokens));
        double worst = 0;
        int64_t headValues = 0;
        int64_t layerValues = 0;
        for (size_t t = 0; t < onGraph.tokens.size() && t < eager.tokens.size(); ++t) {
            const TokenAttention& a = onGraph.tokens[t];
            const TokenAttention& b = eager.tokens[t];
            GPU_CHECK(a.queryPosition == b.queryPosition, "query positions differ");
            compareGrids(a.perImage, b.perImage, worst);
            worst = std::max(worst, double(std::abs(a.imageShare - b.imageShare)));
            GPU_CHECK(a.layers.size() == b.layers.size() && a.heads.size() == b.heads.size(), "detail differs");
            for (size_t l = 0; l < a.layers.size() && l < b.layers.size(); ++l) {
                layerValues += compareGrids(a.layers[l], b.layers[l], worst);
            }
            for (size_t l = 0; l < a.heads.size() && l < b.heads.size(); ++l) {
                GPU_CHECK(a.heads[l].size() == size_t(c.numHeads) && b.heads[l].size() == size_t(c.numHeads), "heads");
                for (int h = 0; h < c.numHeads && size_t(h) < a.heads[l].size() && size_t(h) < b.heads[l].size(); ++h) {
                    headValues += compareGrids(a.heads[l][size_t(h)], b.heads[l][size_t(h)], worst);
                }
            }
        }
        const int64_t layers = setting.layers.empty() ? c.numLayers : static_cast<int64_t>(setting.layers.size());
        std::printf("  %s: %zu tokens, %lld per-head and %lld per-layer values compared, max |diff| %.3g\n",
                    setting.name, expectedTokens, static_cast<long long>(headValues), static_cast<long long>(layerValues),
                    worst);
        GPU_CHECK(worst < 1e-5, std::string(setting.name) + ": graph capture differs by " + std::to_string(worst));
        GPU_CHECK(layerValues == int64_t(expectedTokens) * layers * patches, "per-layer values of every token");
        if (setting.detail == AttentionDetail::Heads) {
            GPU_CHECK(headValues == int64_t(expectedTokens) * layers * c.numHeads * patches,
                      "per-head values of every token");
        }
    }
}

} // namespace

int main()
{
    return gpu_check::runGpuCases("test_gpu_attention_hook",
                                  {{"rowStatisticsGiveTheModelsProbabilities", rowStatisticsGiveTheModelsProbabilities},
                                   {"graphCaptureMatchesTheEagerCapture", graphCaptureMatchesTheEagerCapture}});
}
