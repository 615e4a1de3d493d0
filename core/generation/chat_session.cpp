#include "core/generation/chat_session.h"

#include "core/error.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/kv_cache.h"
#include "core/model/vora_model.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace vora::core {

ChatSession::ChatSession(const VoraModel& model, DecodeGraphs* graphs)
    : m_model(model)
    , m_graphs(graphs)
{
}

ChatSession::~ChatSession() = default;

int64_t ChatSession::reusablePrefix(const std::vector<uint64_t>& keys, const std::vector<uint8_t>& isImage) const
{
    if (!m_reuse || !m_cache) {
        return 0;
    }
    const auto limit = std::min(m_keys.size(), keys.size());
    int64_t common = std::mismatch(m_keys.begin(), m_keys.begin() + static_cast<long>(limit), keys.begin()).first
        - m_keys.begin();
    // At least the last prompt position runs through the prefill (its logits give the first token), and an
    // image block is prefilled whole.
    common = std::min<int64_t>(common, static_cast<int64_t>(keys.size()) - 1);
    while (common > 0 && isImage[static_cast<size_t>(common)] && isImage[static_cast<size_t>(common - 1)]) {
        --common;
    }
    return common;
}

GenerationOutput ChatSession::generate(const PromptInput& prompt, const SamplingParams& sampling,
                                       const StopCriteria& stop, const GenerationHooks& hooks)
{
    // Settings out of range are refused before the cache is touched: a bad request loses nothing.
    validateSampling(sampling);
    validateStopCriteria(stop);
    const c10::InferenceMode inference; // laying out and embedding the new positions too
    const auto started = std::chrono::steady_clock::now();
    const AssembledSequence layout = [&] {
        RECORD_USER_SCOPE("vora::layout"); // named in traces (vora bench --trace)
        return layoutSequence(m_model, prompt);
    }();
    const int64_t length = layout.length();
    const int64_t reuse = reusablePrefix(layout.positionKeys, layout.isImage);
    const int64_t wanted = std::min(m_model.maxContext(), length + std::max(stop.maxNewTokens, 1));
    const int64_t capacity = std::min(m_model.maxContext(), (wanted + kGrowthStep - 1) / kGrowthStep * kGrowthStep);
    if (!m_cache) {
        const ModelConfig& c = m_model.config();
        m_cache = std::make_unique<KvCache>(c.numLayers, 1, c.numKeyValueHeads, capacity, c.headDim, m_model.device(),
                                            m_model.dtype());
    }
    m_cache->truncate(std::min(reuse, m_cache->length()));
    m_keys.resize(static_cast<size_t>(m_cache->length()));
    try {
        m_cache->reserve(capacity);
        const AssembledSequence sequence = [&] {
            RECORD_USER_SCOPE("vora::embed");
            return embedSequence(m_model, prompt, layout, m_cache->length());
        }();
        // The first token's wait includes laying out and embedding the new positions (the vision embedding).
        const double assemblyMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        GenerationOutput output = generateWithCache(m_model, *m_cache, sequence, sampling, stop, hooks, m_graphs);
        output.stats.prefillMs += assemblyMs;
        output.stats.timeToFirstTokenMs += assemblyMs;
        const int64_t kept = std::min<int64_t>(output.fedTokens, static_cast<int64_t>(output.tokens.size()));
        m_cache->truncate(length + kept);
        m_keys = layout.positionKeys;
        m_keys.insert(m_keys.end(), output.tokens.begin(), output.tokens.begin() + kept);
        return output;
    } catch (...) {
        reset(); // a half-written cache must not be reused
        throw;
    }
}

void ChatSession::truncate(int64_t positions)
{
    if (m_cache && positions < m_cache->length()) {
        m_cache->truncate(std::max<int64_t>(positions, 0));
        m_keys.resize(static_cast<size_t>(m_cache->length()));
    }
}

void ChatSession::reset()
{
    m_cache.reset();
    m_keys.clear();
}

int64_t ChatSession::cachedPositions() const { return m_cache ? m_cache->length() : 0; }

int64_t ChatSession::cacheBytes() const { return m_cache ? m_cache->bytes() : 0; }

} // namespace vora::core
