// The fused-kernel prefill (core/cuda/chunk_prefill.h, reached through DecodeGraphs::prefill) against the
// eager forward (DecoderModel::forward) on every tiny checkpoint and reference prompt, float32 and bfloat16:
// a whole prompt in one chunk (image blocks included), a 5-token and a 1-token follow-up chunk over a cache
// both paths share. Logits of every row and the KV cache rows the chunk wrote must agree: float32 to 1e-4
// (the norm kernel adds its squares in another order; every other rounding point is eager's) with every
// top-1 equal; bfloat16 to its relative tolerance, top-1 differing only at near-ties. Also: the last-row
// form equals the all-rows form's last row, an attention observer gets what the eager fused path gives it
// (each wanted layer's last query row and keys), and bad input is refused before anything is written.
#include "core/error.h"
#include "core/generation/attention_mask.h"
#include "core/generation/decode_graphs.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/attention_observer.h"
#include "core/model/kv_cache.h"
#include "gpu_check.h"
#include "gpu_fixtures.h"
#include "top_one_agreement.h"

#include <cstdio>

using namespace vora::core;
using namespace gpu_fixtures;

namespace {

KvCache emptyCache(const VoraModel& model, int64_t capacity)
{
    const ModelConfig& c = model.config();
    return KvCache(c.numLayers, 1, c.numKeyValueHeads, capacity, c.headDim, model.device(), model.dtype());
}

// Keeps what the fused path reports of the even layers: (layer, position, query [H, Dh], keys [KvH, Lk, Dh]).
struct RowCollector : AttentionObserver {
    struct Row {
        int layer;
        int64_t position;
        at::Tensor query, keys;
    };
    std::vector<Row> rows;
    int explicitCalls = 0;

    bool wantsLayer(int layer) const override { return layer % 2 == 0; }
    void onAttention(int, const at::Tensor&, int64_t) override { ++explicitCalls; }
    void onQueryRow(int layer, const at::Tensor& query, const at::Tensor& keys, const at::Tensor&, int64_t position) override
    {
        rows.push_back({layer, position, query.to(at::kFloat).clone(), keys.to(at::kFloat).clone()});
    }
};

// Logits [L, V] float32 of the eager forward of sequence's positions [from, L) over cache.
at::Tensor eagerChunk(const VoraModel& model, KvCache& cache, const AssembledSequence& sequence, int64_t from,
                      AttentionObserver* observer = nullptr)
{
    const AttentionMaskSpec mask = buildAttentionMask(sequence.isImage, from, attentionMaskModeOf(model.config()));
    const at::Tensor chunk = sequence.embeddings.narrow(1, from, sequence.length() - from);
    ForwardOptions options;
    options.observer = observer;
    const at::Tensor hidden = model.decoder().forward(chunk, from, mask, &cache, options);
    return model.decoder().logits(hidden.squeeze(0)).to(at::kFloat);
}

at::Tensor kernelChunk(DecodeGraphs& graphs, const VoraModel& model, KvCache& cache, const AssembledSequence& sequence,
                       int64_t from, bool allRows, AttentionObserver* observer = nullptr)
{
    const AttentionMaskSpec mask = buildAttentionMask(sequence.isImage, from, attentionMaskModeOf(model.config()));
    return graphs.prefill(cache, sequence.embeddings.narrow(1, from, sequence.length() - from), mask, allRows,
                          observer);
}

// The two observers saw the same calls, with queries and keys within the logits' tolerance; returns the count.
int compareObserved(const std::string& what, bool bf16, const RowCollector& kernel, const RowCollector& eager, int layers)
{
    GPU_CHECK(kernel.explicitCalls == 0 && eager.explicitCalls == 0, what + ": the fused path reported probabilities");
    GPU_CHECK(kernel.rows.size() == eager.rows.size() && int(kernel.rows.size()) == (layers + 1) / 2,
              what + ": " + std::to_string(kernel.rows.size()) + " and " + std::to_string(eager.rows.size())
                  + " observed rows for the even layers of " + std::to_string(layers));
    int compared = 0;
    for (size_t i = 0; i < kernel.rows.size() && i < eager.rows.size(); ++i) {
        const RowCollector::Row& a = kernel.rows[i];
        const RowCollector::Row& b = eager.rows[i];
        GPU_CHECK(a.layer == b.layer && a.position == b.position && a.query.sizes() == b.query.sizes()
                      && a.keys.sizes() == b.keys.sizes(),
                  what + ": observed row " + std::to_string(i) + " differs in layer, position or shape");
        if (a.query.sizes() != b.query.sizes() || a.keys.sizes() != b.keys.sizes()) {
            continue;
        }
        for (const auto& [got, expected] : {std::pair(a.query, b.query), std::pair(a.keys, b.keys)}) {
            const double difference = bf16 ? top_one::relativeDifference(got, expected) : maxAbsDiff(got, expected);
            GPU_CHECK(difference < (bf16 ? 2e-2 : 1e-4), what + ": observed layer " + std::to_string(a.layer)
                                                              + " differs by " + std::to_string(difference));
        }
        ++compared;
    }
    return compared;
}

struct Tally {
    int chunks = 0;
    top_one::Agreement agreement;
    double worst = 0; // float32: largest absolute logit difference; bf16: largest relative one
};

// Compares one chunk's logits and cache rows [from, to) of the two caches.
void compare(const std::string& what, bool bf16, const at::Tensor& kernel, const at::Tensor& eager,
             const KvCache& kernelCache, const KvCache& eagerCache, int64_t from, int64_t to, Tally& tally)
{
    GPU_CHECK(kernel.sizes() == eager.sizes(), what + ": logits of another shape");
    GPU_CHECK(kernelCache.length() == to && eagerCache.length() == to, what + ": cache lengths");
    if (kernel.sizes() != eager.sizes()) {
        return;
    }
    const double difference = bf16 ? top_one::relativeDifference(kernel, eager) : maxAbsDiff(kernel, eager);
    GPU_CHECK(difference < (bf16 ? 2e-2 : 1e-4), what + ": logits differ by " + std::to_string(difference));
    tally.worst = std::max(tally.worst, difference);
    const top_one::Agreement agreement = top_one::compareTopOne(kernel, eager);
    GPU_CHECK(agreement.acceptable(bf16), what + ": " + agreement.describe());
    tally.agreement.add(agreement);
    for (int layer = 0; layer < kernelCache.numLayers(); ++layer) {
        for (bool keys : {true, false}) {
            const auto rows = [&](const KvCache& cache) {
                return (keys ? cache.keys(layer) : cache.values(layer)).narrow(2, from, to - from);
            };
            const double cacheDifference = bf16 ? top_one::relativeDifference(rows(kernelCache), rows(eagerCache))
                                                : maxAbsDiff(rows(kernelCache), rows(eagerCache));
            GPU_CHECK(cacheDifference < (bf16 ? 2e-2 : 1e-4), what + ": layer " + std::to_string(layer)
                                                                  + (keys ? " keys" : " values") + " differ by "
                                                                  + std::to_string(cacheDifference));
        }
    }
    ++tally.chunks;
}

void kernelPrefillEqualsEager()
{
    float32MeansFloat32();
    const c10::InferenceMode inference;
    for (const std::string& dtype : {std::string("float32"), std::string("bfloat16")}) {
        const bool bf16 = dtype == "bfloat16";
        Tally tally;
        int prompts = 0;
        int observedRows = 0;
        int expectedObservedRows = 0;
        for (const std::string& variant : variants()) {
            const auto model = loadOnCuda(variant, dtype);
            std::string whyNot;
            const auto graphs = makeDecodeGraphs(*model, {}, &whyNot);
            GPU_CHECK(graphs != nullptr, variant + ": no CUDA fast path: " + whyNot);
            if (!graphs) {
                continue;
            }
            for (const std::string& path : casesOf(variant)) {
                const std::string what = dtype + " " + variant + " " + path.substr(path.rfind('/') + 1);
                PromptInput prompt = promptOf(*SafetensorsFile::open(path));
                const AssembledSequence whole = assembleSequence(*model, prompt);
                const int64_t length = whole.length();
                // The whole prompt as one chunk.
                KvCache eagerCache = emptyCache(*model, length + 8);
                KvCache kernelCache = emptyCache(*model, length + 8);
                RowCollector eagerObserver;
                RowCollector kernelObserver;
                const at::Tensor eager = eagerChunk(*model, eagerCache, whole, 0, &eagerObserver);
                const at::Tensor kernel = kernelChunk(*graphs, *model, kernelCache, whole, 0, true, &kernelObserver);
                compare(what + " whole prompt", bf16, kernel, eager, kernelCache, eagerCache, 0, length, tally);
                observedRows += compareObserved(what, bf16, kernelObserver, eagerObserver, model->config().numLayers);
                expectedObservedRows += (model->config().numLayers + 1) / 2;
                // Follow-up chunks of 5 and 1 text tokens over a prefix both caches hold the same bits of.
                for (const std::vector<int64_t>& added : {std::vector<int64_t>{7, 8, 9, 10, 11}, std::vector<int64_t>{12}}) {
                    PromptInput extended = prompt;
                    extended.ids.insert(extended.ids.end(), added.begin(), added.end());
                    const AssembledSequence longer = assembleSequence(*model, extended);
                    KvCache eagerFollow = emptyCache(*model, longer.length());
                    KvCache kernelFollow = emptyCache(*model, longer.length());
                    for (KvCache* cache : {&eagerFollow, &kernelFollow}) {
                        model->decoder().forward(whole.embeddings, 0, buildAttentionMask(whole.isImage, 0, attentionMaskModeOf(model->config())),
                                                 cache, {});
                    }
                    const at::Tensor eagerRows = eagerChunk(*model, eagerFollow, longer, length);
                    const at::Tensor kernelRows = kernelChunk(*graphs, *model, kernelFollow, longer, length, true);
                    compare(what + " +" + std::to_string(added.size()) + " tokens", bf16, kernelRows, eagerRows,
                            kernelFollow, eagerFollow, length, longer.length(), tally);
                }
                // The last-row form: [1, V], the all-rows form's last row up to the vocabulary product's kernel.
                KvCache lastOnly = emptyCache(*model, length);
                const at::Tensor last = kernelChunk(*graphs, *model, lastOnly, whole, 0, false);
                GPU_CHECK(last.dim() == 2 && last.size(0) == 1, what + ": last-row logits are [1, V]");
                const double lastDifference = bf16 ? top_one::relativeDifference(last[0], kernel[length - 1])
                                                   : maxAbsDiff(last[0], kernel[length - 1]);
                GPU_CHECK(lastDifference < (bf16 ? 2e-2 : 1e-4),
                          what + ": last-row logits differ by " + std::to_string(lastDifference));
                ++prompts;
            }
        }
        std::printf("  %s: %d prompts, %d chunks compared (logits within %.3g), %s\n", dtype.c_str(), prompts,
                    tally.chunks, tally.worst, tally.agreement.describe().c_str());
        GPU_CHECK(prompts == 17 && tally.chunks == 3 * 17, dtype + ": expected 17 prompts and 51 chunks");
        std::printf("  %s: %d observed rows compared\n", dtype.c_str(), observedRows);
        GPU_CHECK(observedRows == expectedObservedRows && observedRows >= 17, dtype + ": observed rows of every prompt");
    }
}

void badInputIsRefusedBeforeWriting()
{
    const auto model = loadOnCuda("qwen2_vora_merged", "bfloat16");
    const auto graphs = makeDecodeGraphs(*model, {});
    GPU_CHECK(graphs != nullptr, "CUDA fast path");
    if (!graphs) {
        return;
    }
    const c10::InferenceMode inference;
    const PromptInput prompt = promptOf(*SafetensorsFile::open(casesOf("qwen2_vora_merged").front()));
    const AssembledSequence sequence = assembleSequence(*model, prompt);
    const AttentionMaskSpec mask = buildAttentionMask(sequence.isImage, 0, attentionMaskModeOf(model->config()));
    int refused = 0;
    const auto refuses = [&](const std::string& what, KvCache& cache, const at::Tensor& embeddings) {
        try {
            graphs->prefill(cache, embeddings, mask, false);
            GPU_CHECK(false, what + ": accepted");
        } catch (const Error&) {
            ++refused;
        }
        GPU_CHECK(cache.length() == 0, what + ": the cache moved");
    };
    KvCache small = emptyCache(*model, sequence.length() - 1);
    refuses("a cache without room", small, sequence.embeddings);
    KvCache cache = emptyCache(*model, sequence.length());
    refuses("float32 embeddings for a bf16 model", cache, sequence.embeddings.to(at::kFloat));
    refuses("embeddings on the CPU", cache, sequence.embeddings.cpu());
    refuses("a 2-D input", cache, sequence.embeddings.squeeze(0));
    GPU_CHECK(refused == 4, "four bad inputs refused");
}

} // namespace

int main()
{
    return gpu_check::runGpuCases("test_gpu_prefill", {
                                                          {"kernelPrefillEqualsEager", kernelPrefillEqualsEager},
                                                          {"badInputIsRefusedBeforeWriting", badInputIsRefusedBeforeWriting},
                                                      });
}
