// DecodeGraphs for CUDA (core/generation/decode_graphs.h): DecodeStep + the sampling chain captured in
// one CUDA graph per sampling configuration, replayed once per token.
#include "core/cuda/chunk_prefill.h"
#include "core/cuda/decode_kernels.h"
#include "core/cuda/decode_step.h"
#include "core/error.h"
#include "core/generation/decode_graphs.h"
#include "core/generation/sampler.h"
#include "core/model/kv_cache.h"
#include "core/model/vora_model.h"

#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <map>
#include <tuple>
#include <vector>

namespace vora::core {
namespace {

// Attention capture rows beyond this many bytes on the device send decoding down the eager path, whose
// recorder keeps only the rows of the tokens it makes (the graph's rows are sized by the token budget).
constexpr int64_t kMaxCaptureBytes = int64_t(1) << 30;

enum class CaptureMode { None, HeadMean, PerHead };

int64_t patchCount(const DecodeAttentionCapture& capture)
{
    int64_t patches = 0;
    for (const KeySpan& span : capture.spans) {
        patches += span.count;
    }
    return patches;
}

CaptureMode captureModeOf(const DecodeAttentionCapture* capture)
{
    return !capture ? CaptureMode::None : capture->perHead ? CaptureMode::PerHead : CaptureMode::HeadMean;
}

// What a captured graph bakes in: the chain's parameters, whether eos suppression runs at all, and the
// attention capture.
struct GraphKey {
    bool greedy = true;
    double temperature = 0, topP = 1, minP = 0, repetitionPenalty = 1;
    int topK = 0;
    bool suppression = false;
    CaptureMode capture = CaptureMode::None;

    static GraphKey of(const SamplingParams& p, bool suppression, CaptureMode capture)
    {
        GraphKey key;
        key.greedy = p.greedy();
        key.repetitionPenalty = p.repetitionPenalty;
        key.suppression = suppression;
        key.capture = capture;
        if (!key.greedy) {
            std::tie(key.temperature, key.topP, key.minP, key.topK) = std::tie(p.temperature, p.topP, p.minP, p.topK);
        }
        return key;
    }
    SamplingParams params() const
    {
        SamplingParams p;
        p.temperature = greedy ? 0.0 : temperature;
        p.topP = topP;
        p.minP = minP;
        p.topK = topK;
        p.repetitionPenalty = repetitionPenalty;
        return p;
    }
    auto tied() const { return std::tie(greedy, temperature, topP, minP, repetitionPenalty, topK, suppression, capture); }
    bool operator<(const GraphKey& other) const { return tied() < other.tied(); }
};

class CudaDecodeGraphs;

// Replays one graph per token; each token is copied to pinned memory behind its replay, an event marks it.
class GraphStepper : public DecodeStepper {
public:
    static constexpr int kRing = 4; // > the decode loop's depth

    GraphStepper(at::cuda::CUDAGraph& graph, const at::Tensor& token, at::Tensor pinned)
        : m_graph(graph)
        , m_token(token)
        , m_pinned(std::move(pinned))
    {
        const c10::cuda::CUDAGuard device(m_token.device());
        copyBack(); // token 0, from the prefill
    }

    void enqueue() override
    {
        // The events record on the current device's stream: the token's device, where replay and copy run.
        const c10::cuda::CUDAGuard device(m_token.device());
        m_graph.replay();
        copyBack();
    }

    int64_t token(int64_t k) override
    {
        require(k < m_copied && k >= m_copied - kRing, ErrorCode::Internal, "decode token read out of order");
        m_events[static_cast<size_t>(k % kRing)].synchronize();
        return m_pinned.data_ptr<int64_t>()[k % kRing];
    }

private:
    void copyBack()
    {
        const int64_t slot = m_copied % kRing;
        m_pinned.narrow(0, slot, 1).copy_(m_token, /*non_blocking=*/true);
        m_events[static_cast<size_t>(slot)].record();
        ++m_copied;
    }

    at::cuda::CUDAGraph& m_graph;
    at::Tensor m_token;
    at::Tensor m_pinned;
    std::array<at::cuda::CUDAEvent, kRing> m_events;
    int64_t m_copied = 0;
};

class CudaDecodeGraphs : public DecodeGraphs {
public:
    CudaDecodeGraphs(const VoraModel& model, const DecodeGraphOptions& options)
        : m_model(model)
        , m_step(model, options.gemv, options.overlapLaunches)
        , m_prefill(model)
        , m_kernelPrefill(options.kernelPrefill)
    {
        const auto on = at::TensorOptions().device(model.device());
        const int64_t vocab = model.config().vocabSize;
        m_tokenIndex = at::zeros({1}, on.dtype(at::kLong));
        m_minNewTokens = at::zeros({1}, on.dtype(at::kLong));
        m_uniforms = at::zeros({model.maxContext() + 1}, on.dtype(at::kDouble));
        m_seen = at::zeros({vocab}, on.dtype(at::kBool));
        m_eosMask = at::zeros({vocab}, on.dtype(at::kBool));
        m_pinned = at::zeros({GraphStepper::kRing}, at::TensorOptions().dtype(at::kLong).pinned_memory(true));
    }

    std::unique_ptr<DecodeStepper> start(KvCache& cache, Sampler& sampler, const EosSuppression& suppression,
                                         const at::Tensor& firstToken, int maxNewTokens,
                                         DecodeAttentionCapture* capture) override
    {
        require(cache.length() + maxNewTokens <= cache.capacity(), ErrorCode::Internal, "KV cache too small to decode into");
        if (capture) {
            const std::string why = whyNoCapture(*capture, maxNewTokens);
            require(why.empty(), ErrorCode::Internal, "attention capture in the decode graph: " + why);
        }
        // Streams, events and the decode kernels follow the current device: make it the model's (the caller's
        // may be another GPU; graphFor's side stream and DecodeStep's launches would then go there).
        const c10::cuda::CUDAGuard device(m_model.device());
        const GraphKey key = GraphKey::of(sampler.params(), suppression.minNewTokens() > 0, captureModeOf(capture));
        const at::Tensor captureTable = captureTableFor(capture, cache.length(), maxNewTokens);
        auto setState = [&] {
            m_step.captureTable.copy_(captureTable);
            m_step.bind(cache);
            m_step.token.copy_(firstToken);
            m_step.position.fill_(cache.length());
            m_tokenIndex.fill_(1); // the graph produces token 1 first
            m_minNewTokens.fill_(suppression.minNewTokens());
            m_eosMask.copy_(suppression.mask());
            if (key.repetitionPenalty != 1.0) {
                m_seen.copy_(sampler.seenMask(m_seen.size(0), m_seen.device()));
            }
        };
        const bool captures = !m_graphs.contains(key);
        setState();
        at::cuda::CUDAGraph& graph = graphFor(key);
        if (captures) {
            setState(); // capturing ran one step
        }
        if (!key.greedy && maxNewTokens > 1) {
            // Token k draws with uniform k of the sampler's stream; token 0 already used its own.
            m_uniforms.narrow(0, 1, maxNewTokens - 1).copy_(sampler.takeUniforms(maxNewTokens - 1));
        }
        return std::make_unique<GraphStepper>(graph, m_step.token, m_pinned);
    }

    void prepare(const SamplingParams& sampling) override
    {
        const c10::cuda::CUDAGuard device(m_model.device()); // as in start()
        const ModelConfig& c = m_model.config();
        KvCache scratch(c.numLayers, 1, c.numKeyValueHeads, 2, c.headDim, m_model.device(), m_model.dtype());
        m_step.bind(scratch);
        m_step.position.fill_(0);
        m_step.captureTable.zero_(); // the capture variants' warm-up runs write nothing
        m_tokenIndex.fill_(1);
        for (const CaptureMode capture : {CaptureMode::None, CaptureMode::HeadMean}) {
            if (capture != CaptureMode::None && !m_step.captureSupported()) {
                continue; // such models record attention eagerly (whyNoCapture)
            }
            graphFor(GraphKey::of(sampling, false, capture));
            graphFor(GraphKey::of(sampling, true, capture));
        }
        at::cuda::getCurrentCUDAStream().synchronize(); // the scratch cache goes away now
    }

    at::Tensor prefill(KvCache& cache, const at::Tensor& embeddings, const AttentionMaskSpec& mask, bool allRows,
                       AttentionObserver* observer) override
    {
        return m_prefill.run(cache, embeddings, mask, allRows, observer);
    }

    bool prefillsOnKernels() const override { return m_kernelPrefill; }

    std::string description() const override { return "cuda-graph/" + m_step.gemvDescription(); }

    std::string whyNoCapture(const DecodeAttentionCapture& capture, int maxNewTokens) const override
    {
        const ModelConfig& c = m_model.config();
        if (!m_step.captureSupported()) {
            return "the capture kernel takes at most " + std::to_string(cuda::attentionCaptureMaxHeads()) + " heads and "
                + std::to_string(cuda::attentionCaptureMaxKvHeads()) + " KV heads with a head size the decode attention "
                + "supports (this model: " + std::to_string(c.numHeads) + " heads, " + std::to_string(c.numKeyValueHeads)
                + " KV heads of size " + std::to_string(c.headDim) + ")";
        }
        if (capture.spans.size() > static_cast<size_t>(cuda::attentionCaptureMaxSpans())) {
            return std::to_string(capture.spans.size()) + " images in the context (the kernel takes "
                + std::to_string(cuda::attentionCaptureMaxSpans()) + ")";
        }
        const int64_t bytes = int64_t(std::max(1, maxNewTokens - 1)) * c.numLayers * (capture.perHead ? c.numHeads : 1)
            * patchCount(capture) * int64_t(sizeof(float));
        if (bytes > kMaxCaptureBytes) {
            return "the rows of " + std::to_string(maxNewTokens) + " tokens would take " + std::to_string(bytes >> 20)
                + " MiB (at most " + std::to_string(kMaxCaptureBytes >> 20) + ")";
        }
        return "";
    }

private:
    // One decode step and the draw, as captured: the new token replaces the fed one, position and step advance.
    void stepAndDraw(const GraphKey& key)
    {
        m_step.run();
        if (key.capture != CaptureMode::None) {
            m_step.captureImageAttention(key.capture == CaptureMode::PerHead);
        }
        const SamplingParams params = key.params();
        const at::Tensor uniform = key.greedy ? at::Tensor() : m_uniforms.index_select(0, m_tokenIndex);
        const at::Tensor suppressed = key.suppression ? at::logical_and(m_eosMask, m_tokenIndex.lt(m_minNewTokens)) : at::Tensor();
        const at::Tensor seen = key.repetitionPenalty != 1.0 ? m_seen : at::Tensor();
        m_step.token.copy_(drawToken(params, m_step.logits, seen, uniform, suppressed));
        m_step.position.add_(1);
        m_tokenIndex.add_(1);
    }

    // The capture table's entries (core/cuda/decode_kernels.h) for this start, allocating capture->rows; all
    // zero (write nothing) without a capture.
    at::Tensor captureTableFor(DecodeAttentionCapture* capture, int64_t firstPosition, int maxNewTokens)
    {
        std::vector<int64_t> entries(static_cast<size_t>(cuda::attentionCaptureTableEntries()), 0);
        if (capture) {
            const ModelConfig& c = m_model.config();
            const int64_t rows = std::max(1, maxNewTokens - 1);
            capture->rows = at::zeros({rows, c.numLayers, capture->perHead ? c.numHeads : 1, patchCount(*capture)},
                                      at::TensorOptions().device(m_model.device()).dtype(at::kFloat));
            capture->firstPosition = firstPosition;
            entries[0] = reinterpret_cast<int64_t>(capture->rows.data_ptr());
            entries[1] = firstPosition;
            entries[2] = rows;
            entries[3] = static_cast<int64_t>(capture->spans.size());
            for (size_t s = 0; s < capture->spans.size(); ++s) {
                entries[4 + 2 * s] = capture->spans[s].start;
                entries[5 + 2 * s] = capture->spans[s].count;
            }
        }
        return at::tensor(entries, at::TensorOptions().dtype(at::kLong));
    }

    at::cuda::CUDAGraph& graphFor(const GraphKey& key)
    {
        auto found = m_graphs.find(key);
        if (found != m_graphs.end()) {
            return *found->second;
        }
        // Capture on a side stream after one eager run there (cuBLAS handles, workspaces, lazy modules).
        auto graph = std::make_unique<at::cuda::CUDAGraph>();
        const at::cuda::CUDAStream current = at::cuda::getCurrentCUDAStream();
        const at::cuda::CUDAStream side = at::cuda::getStreamFromPool();
        at::cuda::CUDAEvent ready;
        ready.record(current);
        ready.block(side);
        {
            const at::cuda::CUDAStreamGuard guard(side);
            stepAndDraw(key);
            graph->capture_begin();
            stepAndDraw(key);
            graph->capture_end();
        }
        at::cuda::CUDAEvent done;
        done.record(side);
        done.block(current);
        return *m_graphs.emplace(key, std::move(graph)).first->second;
    }

    const VoraModel& m_model;
    DecodeStep m_step;
    ChunkPrefill m_prefill;
    bool m_kernelPrefill;
    at::Tensor m_tokenIndex;       // [1] int64: index of the token the next replay produces
    at::Tensor m_minNewTokens; // [1] int64
    at::Tensor m_uniforms;     // [maxContext + 1] float64, by token index
    at::Tensor m_seen;         // [V] bool
    at::Tensor m_eosMask;      // [V] bool
    at::Tensor m_pinned;       // [kRing] int64, pinned host memory
    std::map<GraphKey, std::unique_ptr<at::cuda::CUDAGraph>> m_graphs;
};

} // namespace

std::unique_ptr<DecodeGraphs> makeDecodeGraphs(const VoraModel& model, const DecodeGraphOptions& options,
                                               std::string* whyNot)
{
    const std::string reason = DecodeStep::whyNot(model);
    if (!reason.empty()) {
        if (whyNot) {
            *whyNot = reason;
        }
        return nullptr;
    }
    const c10::cuda::CUDAGuard device(model.device());
    return std::make_unique<CudaDecodeGraphs>(model, options);
}

} // namespace vora::core
