#include "core/generation/sampler.h"

#include "core/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <limits>
#include <random>

namespace vora::core {
namespace {

constexpr float kRemoved = -std::numeric_limits<float>::infinity();

// transformers' TopPLogitsWarper on scores sorted descending: drop the tail whose cumulative
// probability is <= 1 - top_p, always keeping the most likely token.
at::Tensor applyTopP(const at::Tensor& sortedScores, double topP)
{
    const at::Tensor cumulative = at::softmax(sortedScores.flip(0), 0).cumsum(0);
    at::Tensor remove = (cumulative <= (1.0 - topP)).flip(0);
    remove[0] = false;
    return sortedScores.masked_fill(remove, kRemoved);
}

// transformers' MinPLogitsWarper: drop tokens below minP x the top probability.
at::Tensor applyMinP(const at::Tensor& sortedScores, double minP)
{
    const at::Tensor probabilities = at::softmax(sortedScores, 0);
    at::Tensor remove = probabilities < probabilities.max() * minP;
    remove[0] = false;
    return sortedScores.masked_fill(remove, kRemoved);
}

} // namespace

Sampler::Sampler(const SamplingParams& params)
    : m_params(params)
{
    validateSampling(params);
    const uint64_t seed = params.seed >= 0 ? static_cast<uint64_t>(params.seed) : std::random_device{}();
    m_generator = at::make_generator<at::CPUGeneratorImpl>(seed);
}

void Sampler::setHistory(const std::vector<int64_t>& tokens)
{
    m_history.clear();
    m_seenMask = at::Tensor();
    for (int64_t token : tokens) {
        if (token >= 0) {
            m_history.push_back(token);
        }
    }
}

void Sampler::remember(int64_t token)
{
    if (m_seenMask.defined()) {
        m_seenMask.narrow(0, token, 1).fill_(true); // one tiny kernel, no host-to-device copy per step
    } else {
        m_history.push_back(token);
    }
}

at::Tensor Sampler::penalised(const at::Tensor& logits)
{
    if (m_params.repetitionPenalty == 1.0) {
        return logits;
    }
    if (!m_seenMask.defined()) {
        m_seenMask = at::zeros({logits.size(0)}, at::TensorOptions().dtype(at::kBool).device(logits.device()));
        if (!m_history.empty()) {
            const at::Tensor ids = at::tensor(m_history, at::TensorOptions().dtype(at::kLong)).to(logits.device());
            m_seenMask.index_fill_(0, ids.clamp(0, logits.size(0) - 1), true);
        }
    }
    const at::Tensor adjusted = at::where(logits < 0, logits * m_params.repetitionPenalty, logits / m_params.repetitionPenalty);
    return at::where(m_seenMask, adjusted, logits);
}

TokenDistribution Sampler::distribution(const at::Tensor& rawLogits, const std::vector<int64_t>& suppressed)
{
    at::Tensor logits = penalised(rawLogits.to(at::kFloat));
    if (!suppressed.empty()) {
        const at::Tensor ids = at::tensor(suppressed, at::TensorOptions().dtype(at::kLong)).to(logits.device());
        logits = logits.index_fill(0, ids, kRemoved);
    }
    if (m_params.greedy()) {
        return {logits.argmax().reshape({1}).cpu(), at::ones({1}, at::kFloat)};
    }
    const at::Tensor scaled = logits / m_params.temperature;
    const bool topK = m_params.topK > 0 && m_params.topK < scaled.size(0);
    auto [values, indices] = topK ? scaled.topk(m_params.topK) : scaled.sort(/*stable=*/true, 0, /*descending=*/true);
    at::Tensor scores = values.cpu();
    if (m_params.topP < 1.0) {
        scores = applyTopP(scores, m_params.topP);
    }
    if (m_params.minP > 0.0) {
        scores = applyMinP(scores, m_params.minP);
    }
    return {indices.cpu(), at::softmax(scores, 0)};
}

int64_t Sampler::next(const at::Tensor& logits, const std::vector<int64_t>& suppressed)
{
    const TokenDistribution candidates = distribution(logits, suppressed);
    const int64_t pick = candidates.ids.size(0) == 1
        ? 0
        : at::multinomial(candidates.probabilities, 1, false, m_generator).item<int64_t>();
    const int64_t token = candidates.ids[pick].item<int64_t>();
    remember(token);
    return token;
}

} // namespace vora::core
