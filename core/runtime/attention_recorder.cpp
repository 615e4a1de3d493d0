#include "core/runtime/attention_recorder.h"

#include "core/attention/image_attention.h"
#include "core/attention/image_spans.h"
#include "core/attention/token_attention_rows.h"
#include "core/generation/decode_graphs.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/attention_observer.h"
#include "core/model/vora_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

namespace vora::core {

struct AttentionRecorder::Impl : AttentionObserver {
    std::vector<int> layers;
    AttentionDetail detail = AttentionDetail::Mean;
    std::vector<ImageSpan> images;
    std::vector<KeySpan> keySpans;
    int64_t promptLength = 0;
    // By absolute query position, then by layer: [H, N] (detail Heads) or [1, N] head means,
    // float32 on the model's device; N = all images' patches, images concatenated.
    std::map<int64_t, std::map<int, at::Tensor>> rows;
    // Rows of graph decoding: [n, every layer, H or 1, N], for the decode steps (the prefill's row is in rows).
    DecodeAttentionCapture capture;
    // The fused path's rows of the forward pass under way (one per wanted layer, one query position), computed
    // together when it ends (onForwardEnd): a few batched operations instead of several per layer, which made
    // a recorded follow-up turn's first token twice as slow on a GPU. Rows of a pass that never ended (a
    // later layer threw) are dropped, not computed: their cache rows were never committed.
    struct PendingRow {
        int layer = 0;
        at::Tensor query;        // [H, Dh], a copy
        at::Tensor keys;         // [KvH, Lk, Dh], the layer's cached keys (unchanged until the pass ends)
        at::Tensor logSumExp;    // [H] or undefined
    };
    std::vector<PendingRow> pending;
    int64_t pendingPosition = -1;

    // The recorded layers' indices into capture.rows' layer dimension.
    std::vector<int64_t> capturedLayerIndices() const
    {
        std::vector<int64_t> indices;
        for (int64_t l = 0; l < capture.rows.size(1); ++l) {
            if (wantsLayer(static_cast<int>(l))) {
                indices.push_back(l);
            }
        }
        return indices;
    }

    bool wantsLayer(int layer) const override
    {
        return layers.empty() || std::find(layers.begin(), layers.end(), layer) != layers.end();
    }

    // What the detail keeps of per-head rows: all heads, or their mean over the dimension `heads`.
    at::Tensor kept(const at::Tensor& perHead, int64_t heads) const
    {
        return detail == AttentionDetail::Heads ? perHead : perHead.mean(heads, /*keepdim=*/true);
    }

    void store(int layer, int64_t position, const at::Tensor& perHead) { rows[position][layer] = kept(perHead, 0); }

    // Computes the pending rows, in batches of equal key shapes whose float32 keys stay within a bound (a
    // 9k-token prompt's keys for all layers would take half a gigabyte).
    void flushPending()
    {
        constexpr int64_t kBatchBytes = int64_t(64) << 20;
        size_t first = 0;
        while (first < pending.size()) {
            const PendingRow& head = pending[first];
            const int64_t perRow = std::max<int64_t>(1, head.keys.numel() * int64_t(sizeof(float)));
            const auto most = static_cast<size_t>(std::max<int64_t>(1, kBatchBytes / perRow));
            size_t end = first + 1;
            while (end < pending.size() && end - first < most && pending[end].keys.sizes() == head.keys.sizes()
                   && pending[end].query.sizes() == head.query.sizes()
                   && pending[end].logSumExp.defined() == head.logSumExp.defined()) {
                ++end;
            }
            std::vector<at::Tensor> queries, keys, logSumExps;
            for (size_t i = first; i < end; ++i) {
                queries.push_back(pending[i].query);
                keys.push_back(pending[i].keys);
                if (head.logSumExp.defined()) {
                    logSumExps.push_back(pending[i].logSumExp.reshape({-1}));
                }
            }
            const at::Tensor perHead = imageAttentionProbabilitiesOfRows(
                at::stack(queries), at::stack(keys), keySpans, logSumExps.empty() ? at::Tensor() : at::stack(logSumExps));
            const at::Tensor batch = kept(perHead, 1); // [rows, H or 1, N]
            for (size_t i = first; i < end; ++i) {
                rows[pendingPosition][pending[i].layer] = batch[static_cast<int64_t>(i - first)];
            }
            first = end;
        }
        pending.clear();
    }

    void onAttention(int layer, const at::Tensor& probabilities, int64_t queryStart) override
    {
        const int64_t lastQuery = probabilities.size(2) - 1;
        const int64_t position = queryStart + lastQuery;
        if (position < promptLength - 1) {
            return;
        }
        const at::Tensor row = probabilities[0].select(1, lastQuery); // [H, Lk]
        std::vector<at::Tensor> parts;
        for (const KeySpan& span : keySpans) {
            parts.push_back(row.narrow(1, span.start, span.count));
        }
        store(layer, position, parts.empty() ? row.narrow(1, 0, 0) : at::cat(parts, 1).to(at::kFloat));
    }

    void onQueryRow(int layer, const at::Tensor& query, const at::Tensor& keys, const at::Tensor& rowLogSumExp,
                    int64_t position) override
    {
        if (position < promptLength - 1) {
            return;
        }
        if (!pending.empty() && position != pendingPosition) {
            pending.clear(); // an earlier pass's rows: that pass did not end
        }
        pending.push_back({layer, query.clone(), keys, rowLogSumExp});
        pendingPosition = position;
    }

    void onForwardEnd() override { flushPending(); }
};

AttentionRecorder::AttentionRecorder(std::vector<int> layers, AttentionDetail detail)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->layers = std::move(layers);
    m_impl->detail = detail;
}

AttentionRecorder::~AttentionRecorder() = default;

void AttentionRecorder::begin(std::vector<ImageSpan> images, int64_t promptLength)
{
    m_impl->keySpans.clear();
    for (const ImageSpan& image : images) {
        m_impl->keySpans.push_back({image.start, image.patches()});
    }
    m_impl->images = std::move(images);
    m_impl->promptLength = promptLength;
    m_impl->rows.clear();
    m_impl->pending.clear();
    m_impl->capture.spans = m_impl->keySpans;
    m_impl->capture.perHead = m_impl->detail == AttentionDetail::Heads;
    m_impl->capture.rows = at::Tensor();
    m_impl->capture.rowsWritten = 0;
}

void AttentionRecorder::begin(const VoraModel& model, const PromptInput& prompt, GenerationHooks& hooks)
{
    const AssembledSequence layout = layoutSequence(model, prompt, LayoutKeys::Without); // spans only
    const int patch = model.config().vision ? model.config().vision->patchSize : 14;
    begin(imageSpans(layout.isImage, prompt.images, patch), layout.length());
    hooks.observer = observer();
    hooks.decodeCapture = decodeCapture();
}

const std::vector<ImageSpan>& AttentionRecorder::images() const { return m_impl->images; }

AttentionDetail AttentionRecorder::detail() const { return m_impl->detail; }

std::vector<int> AttentionRecorder::recordedLayers() const
{
    std::vector<int> out;
    if (!m_impl->rows.empty()) {
        for (const auto& [layer, tensor] : m_impl->rows.begin()->second) {
            out.push_back(layer);
        }
    } else if (m_impl->capture.rowsWritten > 0) {
        for (const int64_t layer : m_impl->capturedLayerIndices()) {
            out.push_back(static_cast<int>(layer));
        }
    }
    return out;
}

std::vector<TokenAttention> AttentionRecorder::tokens() const
{
    std::map<int64_t, TokenAttention> byPosition;
    for (const auto& [position, byLayer] : m_impl->rows) {
        std::vector<at::Tensor> stacked;
        for (const auto& [layer, tensor] : byLayer) {
            stacked.push_back(tensor);
        }
        byPosition[position] = tokenAttentionOf(at::stack(stacked), position, m_impl->images, m_impl->detail);
    }
    const DecodeAttentionCapture& capture = m_impl->capture;
    if (capture.rowsWritten > 0) {
        // One copy of every decode step's rows, the recorded layers only.
        const std::vector<int64_t> layers = m_impl->capturedLayerIndices();
        const at::Tensor rows = capture.rows.narrow(0, 0, capture.rowsWritten)
                                    .index_select(1, at::tensor(layers, at::TensorOptions().dtype(at::kLong))
                                                         .to(capture.rows.device()))
                                    .cpu();
        for (int64_t r = 0; r < rows.size(0); ++r) {
            const int64_t position = capture.firstPosition + r;
            byPosition[position] = tokenAttentionOf(rows[r], position, m_impl->images, m_impl->detail);
        }
    }
    std::vector<TokenAttention> out;
    for (auto& [position, token] : byPosition) {
        out.push_back(std::move(token));
    }
    return out;
}

AttentionObserver* AttentionRecorder::observer() { return m_impl.get(); }

DecodeAttentionCapture* AttentionRecorder::decodeCapture() { return &m_impl->capture; }

} // namespace vora::core
