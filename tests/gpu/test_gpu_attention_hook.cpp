// The decode step's hook for attention capture (core/cuda/decode_step.h): after one step, each layer's
// rotated query (queries[l]) and the decode attention kernel's row statistics (rowMax[l], rowSum[l]) give,
// through core/attention/image_attention.h with rowLogSumExp = rowMax + log(rowSum), the model's attention
// probabilities of that token over the image keys: the same as the explicit path's full softmax row of a
// fresh forward pass over the prompt plus the token (float32, every layer and head, every image patch), and
// normalised by the WHOLE row (over all keys they sum to 1).
#include "core/attention/image_attention.h"
#include "core/attention/image_spans.h"
#include "core/cuda/decode_step.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/attention_observer.h"
#include "core/model/kv_cache.h"
#include "gpu_check.h"
#include "gpu_fixtures.h"

#include <torch/torch.h>

#include <algorithm>
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

void rowStatisticsGiveTheModelsProbabilities()
{
    float32MeansFloat32();
    const auto model = loadOnCuda("qwen2_vora_merged", "float32");
    const ModelConfig& c = model->config();
    PromptInput prompt;
    for (const std::string& path : casesOf("qwen2_vora_merged")) {
        prompt = promptOf(*SafetensorsFile::open(path));
        if (prompt.images.size() >= 2) {
            break;
        }
    }
    GPU_CHECK(prompt.images.size() >= 2, "a reference prompt with two images");

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

} // namespace

int main()
{
    return gpu_check::runGpuCases("test_gpu_attention_hook",
                                  {{"rowStatisticsGiveTheModelsProbabilities", rowStatisticsGiveTheModelsProbabilities}});
}
