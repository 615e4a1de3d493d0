// The CUDA decode path against the eager one on the tiny checkpoints: graph decoding gives the tokens eager
// decoding gives (float32: identical, greedy and seeded sampling; bfloat16: every greedy token is the argmax
// of a teacher-forced recompute within bf16 rounding), the KV cache it writes matches, stops and min-new-tokens
// behave, sessions reuse their cache with the logits of a fresh prefill (float32: every top-1
// equal; bfloat16: top-1 differing only at near-ties), the mask-free prefill equals the
// dense-mask one, and a 9k-token prompt needs no quadratic memory.
#include "core/device/memory_stats.h"
#include "core/generation/attention_mask.h"
#include "core/generation/chat_session.h"
#include "core/generation/decode_graphs.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/kv_cache.h"
#include "gpu_check.h"
#include "gpu_fixtures.h"
#include "top_one_agreement.h"

#include <cstdio>

using namespace vora::core;
using namespace gpu_fixtures;

namespace {

SamplingParams greedyParams()
{
    SamplingParams p;
    p.temperature = 0;
    p.repetitionPenalty = 1.0;
    return p;
}

std::vector<std::pair<std::string, SamplingParams>> samplingCases()
{
    SamplingParams topKTopP;
    topKTopP.temperature = 0.8;
    topKTopP.topK = 20;
    topKTopP.topP = 0.9;
    topKTopP.repetitionPenalty = 1.1;
    topKTopP.seed = 11;
    SamplingParams fullVocabMinP;
    fullVocabMinP.temperature = 1.0;
    fullVocabMinP.topK = 0;
    fullVocabMinP.topP = 1.0;
    fullVocabMinP.minP = 0.05;
    fullVocabMinP.seed = 12;
    return {{"greedy", greedyParams()}, {"top-k/top-p/penalty", topKTopP}, {"full vocabulary/min-p", fullVocabMinP}};
}

// A prompt of each kind the checkpoint takes: its first reference case and, for VoRA ones, two images.
std::vector<PromptInput> promptsOf(const std::string& variant)
{
    std::vector<PromptInput> prompts;
    for (const std::string& path : casesOf(variant)) {
        prompts.push_back(promptOf(*SafetensorsFile::open(path)));
    }
    return prompts;
}

GenerationOutput run(const VoraModel& model, const PromptInput& prompt, const SamplingParams& sampling,
                     const StopCriteria& stop, DecodeGraphs* graphs, KvCache* cacheOut = nullptr)
{
    const AssembledSequence sequence = assembleSequence(model, prompt);
    const ModelConfig& c = model.config();
    KvCache cache(c.numLayers, 1, c.numKeyValueHeads, sequence.length() + stop.maxNewTokens, c.headDim, model.device(),
                  model.dtype());
    GenerationOutput output = generateWithCache(model, cache, sequence, sampling, stop, {}, graphs);
    if (cacheOut) {
        *cacheOut = std::move(cache);
    }
    return output;
}

void float32GraphEqualsEager()
{
    float32MeansFloat32();
    int compared = 0;
    for (const std::string& variant : variants()) {
        const auto model = loadOnCuda(variant, "float32");
        for (DecodeGemv gemv : {DecodeGemv::Vora, DecodeGemv::Cublas}) {
            std::string whyNot;
            const auto graphs = makeDecodeGraphs(*model, {gemv}, &whyNot);
            GPU_CHECK(graphs != nullptr, variant + ": no decode graphs: " + whyNot);
            if (!graphs) {
                continue;
            }
            for (const PromptInput& prompt : promptsOf(variant)) {
                for (const auto& [name, sampling] : samplingCases()) {
                    StopCriteria stop;
                    stop.maxNewTokens = 24;
                    KvCache eagerCache(1, 1, 1, 1, 1, model->device(), model->dtype());
                    KvCache graphCache(1, 1, 1, 1, 1, model->device(), model->dtype());
                    const GenerationOutput eager = run(*model, prompt, sampling, stop, nullptr, &eagerCache);
                    const GenerationOutput graphed = run(*model, prompt, sampling, stop, graphs.get(), &graphCache);
                    GPU_CHECK(graphed.decodePath.rfind("cuda-graph", 0) == 0, "decode path " + graphed.decodePath);
                    GPU_CHECK(graphed.tokens == eager.tokens, variant + " " + name + ": graph tokens differ from eager");
                    GPU_CHECK(graphCache.length() == eagerCache.length(), variant + ": cache lengths differ");
                    const int64_t length = std::min(graphCache.length(), eagerCache.length());
                    for (int layer = 0; layer < model->config().numLayers; ++layer) {
                        const double keys = maxAbsDiff(graphCache.keys(layer).narrow(2, 0, length),
                                                       eagerCache.keys(layer).narrow(2, 0, length));
                        const double values = maxAbsDiff(graphCache.values(layer).narrow(2, 0, length),
                                                         eagerCache.values(layer).narrow(2, 0, length));
                        GPU_CHECK(keys < 1e-4 && values < 1e-4, variant + ": cache rows differ by "
                                                                    + std::to_string(std::max(keys, values)));
                    }
                    ++compared;
                }
            }
        }
    }
    std::printf("  float32: %d graph/eager generations compared\n", compared);
    GPU_CHECK(compared == 2 * 17 * 3, "expected 102 comparisons, made " + std::to_string(compared));
}

void bfloat16GraphTokensAreArgmax()
{
    int tokens = 0;
    int exact = 0;
    for (const std::string& variant : variants()) {
        const auto model = loadOnCuda(variant, "bfloat16");
        const auto graphs = makeDecodeGraphs(*model, {DecodeGemv::Vora});
        GPU_CHECK(graphs != nullptr, variant + ": no decode graphs");
        if (!graphs) {
            continue;
        }
        for (const PromptInput& prompt : promptsOf(variant)) {
            StopCriteria stop;
            stop.maxNewTokens = 16;
            const GenerationOutput graphed = run(*model, prompt, greedyParams(), stop, graphs.get());
            const GenerationOutput eager = run(*model, prompt, greedyParams(), stop, nullptr);
            // Teacher-forced recompute of the graph's own continuation: each token must be the argmax up to
            // bf16 rounding of the logits (an eager re-run may break a near-tie the other way).
            PromptInput extended = prompt;
            extended.ids.insert(extended.ids.end(), graphed.tokens.begin(), graphed.tokens.end() - 1);
            const AssembledSequence full = assembleSequence(*model, extended);
            const at::Tensor logits = promptLogits(*model, full, AttentionImpl::Fused);
            const int64_t first = full.length() - static_cast<int64_t>(graphed.tokens.size());
            for (size_t i = 0; i < graphed.tokens.size(); ++i) {
                const at::Tensor row = logits[first + static_cast<int64_t>(i)];
                GPU_CHECK(top_one::isBf16NearTie(row, graphed.tokens[i]),
                          variant + ": token " + std::to_string(i) + " trails the argmax by "
                              + std::to_string(top_one::trailsArgmaxBy(row, graphed.tokens[i])));
                ++tokens;
            }
            exact += graphed.tokens == eager.tokens;
        }
    }
    std::printf("  bfloat16: %d graph tokens checked; %d of 17 continuations identical to eager\n", tokens, exact);
    GPU_CHECK(tokens == 17 * 16, "expected 272 tokens, checked " + std::to_string(tokens));
}

void stopsAndMinNewTokens()
{
    float32MeansFloat32();
    const auto model = loadOnCuda("qwen2_vora_merged", "float32");
    const auto graphs = makeDecodeGraphs(*model, {DecodeGemv::Vora});
    const PromptInput prompt = promptsOf("qwen2_vora_merged").front();
    StopCriteria stop;
    stop.maxNewTokens = 12;
    const GenerationOutput free = run(*model, prompt, greedyParams(), stop, graphs.get());
    GPU_CHECK(free.tokens.size() == 12 && free.stats.stopReason == StopReason::Length, "12 tokens, stopped by length");
    GPU_CHECK(free.fedTokens == 11, "11 tokens fed (the last is never fed), got " + std::to_string(free.fedTokens));

    // Stop at the 4th token: one more step was already queued behind it, its token is discarded and the
    // cache keeps the stop token's row.
    stop.eosIds = {free.tokens[3]};
    KvCache cache(1, 1, 1, 1, 1, model->device(), model->dtype());
    const GenerationOutput stopped = run(*model, prompt, greedyParams(), stop, graphs.get(), &cache);
    const auto firstEos = std::find(free.tokens.begin(), free.tokens.end(), free.tokens[3]) - free.tokens.begin();
    GPU_CHECK(stopped.stats.stopReason == StopReason::Eos, "stopped by eos");
    GPU_CHECK(static_cast<int64_t>(stopped.tokens.size()) == firstEos + 1, "tokens up to the first eos");
    const int64_t promptLength = assembleSequence(*model, prompt).length();
    GPU_CHECK(cache.length() == promptLength + stopped.fedTokens, "cache length = prompt + fed tokens");
    GPU_CHECK(stopped.fedTokens <= static_cast<int64_t>(stopped.tokens.size()), "at most one step ahead");

    // min_new_tokens: the eos is suppressed inside the graph until 6 tokens exist.
    stop.minNewTokens = 6;
    const GenerationOutput suppressed = run(*model, prompt, greedyParams(), stop, graphs.get());
    const GenerationOutput suppressedEager = run(*model, prompt, greedyParams(), stop, nullptr);
    GPU_CHECK(suppressed.tokens.size() >= 6, "at least min new tokens");
    GPU_CHECK(suppressed.tokens == suppressedEager.tokens, "suppression as in eager decoding");
}

void sessionReuseEqualsFreshPrefill()
{
    float32MeansFloat32();
    for (const std::string& dtype : {std::string("float32"), std::string("bfloat16")}) {
        const bool bf16 = dtype == "bfloat16";
        const auto model = loadOnCuda("qwen2_vora_merged", dtype);
        const auto graphs = makeDecodeGraphs(*model, {DecodeGemv::Auto});
        ChatSession session(*model, graphs.get());
        top_one::Agreement total;
        int turns = 0;
        PromptInput prompt = promptsOf("qwen2_vora_merged")[4]; // two_images_large
        StopCriteria stop;
        stop.maxNewTokens = 6;
        const GenerationOutput first = session.generate(prompt, greedyParams(), stop);
        prompt.ids.insert(prompt.ids.end(), first.tokens.begin(), first.tokens.end());
        GenerationHooks hooks;
        hooks.keepPrefillLogits = true;
        // Turn 2 adds text (causal rows over the cache); turn 3 adds an image (a non-causal block after it).
        for (int turn = 2; turn <= 3; ++turn) {
            if (turn == 2) {
                prompt.ids.insert(prompt.ids.end(), {7, 8, 9, 10, 11});
            } else {
                prompt.ids.insert(prompt.ids.end(), {12, kImageTokenSentinel, 13});
                prompt.images.push_back(prompt.images.back());
            }
            const int64_t cached = session.cachedPositions();
            const GenerationOutput next = session.generate(prompt, greedyParams(), stop, hooks);
            const AssembledSequence full = assembleSequence(*model, prompt);
            GPU_CHECK(next.prefilledTokens == full.length() - cached,
                      dtype + ": prefilled " + std::to_string(next.prefilledTokens) + ", expected "
                          + std::to_string(full.length() - cached));
            const at::Tensor fresh = promptLogits(*model, full, AttentionImpl::Fused);
            const at::Tensor tail = fresh.narrow(0, full.length() - next.prefilledTokens, next.prefilledTokens);
            // The session's rows come from other kernels than the fresh prefill's (decode steps wrote the cached
            // answer; the suffix attends over the cache in its own chunk), so they agree up to rounding: float32
            // to 2e-4 and on every top-1; bf16 to its relative tolerance, top-1 differing only at near-ties.
            if (!bf16) {
                const double diff = maxAbsDiff(next.prefillLogits, tail);
                GPU_CHECK(diff < 2e-4, "float32 session logits differ from a fresh prefill by " + std::to_string(diff));
            } else {
                const double relative = top_one::relativeDifference(next.prefillLogits, tail);
                GPU_CHECK(relative < 2e-2, "bf16 session logits: relative difference " + std::to_string(relative));
            }
            const top_one::Agreement agreement = top_one::compareTopOne(next.prefillLogits, tail);
            GPU_CHECK(agreement.acceptable(bf16), dtype + " turn " + std::to_string(turn) + ": " + agreement.describe());
            total.add(agreement);
            ++turns;
            prompt.ids.insert(prompt.ids.end(), next.tokens.begin(), next.tokens.end());
        }
        std::printf("  %s session vs fresh prefill: %d turns, %s\n", dtype.c_str(), turns, total.describe().c_str());
        GPU_CHECK(turns == 2 && total.rows > 2 * 5, dtype + ": expected 2 turns over more than 10 rows");
    }
}

void maskFreePrefillEqualsDenseMask()
{
    float32MeansFloat32();
    // Image first, image last, two images, back-to-back images (reference prompts) and chunks after a cache.
    for (const std::string& dtype : {std::string("float32"), std::string("bfloat16")}) {
        const auto model = loadOnCuda("qwen2_vora_merged", dtype);
        int compared = 0;
        for (PromptInput prompt : promptsOf("qwen2_vora_merged")) {
            prompt.ids.push_back(kImageTokenSentinel); // and one more image at the very end
            prompt.images.push_back(prompt.images.empty() ? ImagePixels{28, 28, std::vector<float>(3 * 28 * 28, 0.25f)}
                                                          : prompt.images.front());
            const AssembledSequence sequence = assembleSequence(*model, prompt);
            const at::Tensor fused = promptLogits(*model, sequence, AttentionImpl::Fused);
            const at::Tensor dense = promptLogits(*model, sequence, AttentionImpl::Explicit);
            const double relative = ((fused - dense).norm() / dense.norm()).item<double>();
            GPU_CHECK(relative < (dtype == "float32" ? 1e-5 : 2e-2), dtype + ": relative difference " + std::to_string(relative));
            ++compared;
        }
        GPU_CHECK(compared == 5, "five prompts");
    }
}

void longPromptNeedsNoQuadraticMemory()
{
    // 9216 image tokens (a 1344 x 1344 image, 96 x 96 patches) + text on the tiny model: a dense float32
    // score matrix alone would take 9.2k^2 x 4 heads x 4 bytes = 1.3 GB.
    ModelLoadOptions options;
    options.device = "cuda";
    options.dtype = "bfloat16";
    options.maxContext = 9300;
    const auto model = VoraModel::load(tinyModelDir("qwen2_vora_merged"), options);
    model->decoder().fuseForInference();
    PromptInput prompt;
    prompt.ids = {5, 6, kImageTokenSentinel, 7, 8, 9};
    ImagePixels image{1344, 1344, std::vector<float>(size_t(3) * 1344 * 1344)};
    for (size_t i = 0; i < image.chw.size(); ++i) {
        image.chw[i] = static_cast<float>((i * 2654435761u) % 1000) / 500.f - 1.f;
    }
    prompt.images.push_back(std::move(image));
    resetPeakMemory(model->device());
    const int64_t before = peakMemoryBytes(model->device()); // right after a reset: what is allocated now
    StopCriteria stop;
    stop.maxNewTokens = 4;
    ChatSession session(*model);
    const GenerationOutput output = session.generate(prompt, greedyParams(), stop);
    const int64_t peak = output.stats.peakMemoryBytes - before;
    std::printf("  9k prompt: %lld positions, peak %lld MB above the weights\n",
                static_cast<long long>(output.stats.promptTokens), static_cast<long long>(peak >> 20));
    GPU_CHECK(output.stats.promptTokens == 9216 + 5, "prompt positions");
    GPU_CHECK(peak < (256ll << 20), "peak memory " + std::to_string(peak >> 20) + " MB");
}

} // namespace

int main()
{
    return gpu_check::runGpuCases("test_gpu_decode", {
                                                         {"float32GraphEqualsEager", float32GraphEqualsEager},
                                                         {"bfloat16GraphTokensAreArgmax", bfloat16GraphTokensAreArgmax},
                                                         {"stopsAndMinNewTokens", stopsAndMinNewTokens},
                                                         {"sessionReuseEqualsFreshPrefill", sessionReuseEqualsFreshPrefill},
                                                         {"maskFreePrefillEqualsDenseMask", maskFreePrefillEqualsDenseMask},
                                                         {"longPromptNeedsNoQuadraticMemory", longPromptNeedsNoQuadraticMemory},
                                                     });
}
