#include "core/generation/sampler.h"

#include "core/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <random>

namespace vora::core {

const char* stopReasonName(StopReason reason)
{
    switch (reason) {
    case StopReason::Eos: return "eos";
    case StopReason::Length: return "length";
    case StopReason::StopString: return "stop";
    case StopReason::Cancelled: return "cancelled";
    }
    return "unknown";
}

Sampler::Sampler(const SamplingParams& params)
    : m_params(params)
{
    require(params.topP > 0.0 && params.topP <= 1.0, ErrorCode::InvalidArgument, "top-p must be in (0, 1]");
    require(params.topK >= 0, ErrorCode::InvalidArgument, "top-k must be >= 0");
    require(params.minP >= 0.0 && params.minP < 1.0, ErrorCode::InvalidArgument, "min-p must be in [0, 1)");
    require(params.repetitionPenalty > 0.0, ErrorCode::InvalidArgument, "repetition penalty must be > 0");
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

int64_t Sampler::next(const at::Tensor& rawLogits, const std::vector<int64_t>& suppressed)
{
    at::Tensor logits = penalised(rawLogits.to(at::kFloat));
    if (!suppressed.empty()) {
        const at::Tensor ids = at::tensor(suppressed, at::TensorOptions().dtype(at::kLong)).to(logits.device());
        logits = logits.index_fill(0, ids, -std::numeric_limits<float>::infinity());
    }
    int64_t token = 0;
    if (m_params.greedy()) {
        token = logits.argmax().item<int64_t>();
    } else {
        at::Tensor scores = logits / m_params.temperature;
        at::Tensor candidates;
        if (m_params.topK > 0 && m_params.topK < scores.size(0)) {
            auto [values, indices] = scores.topk(m_params.topK); // sorted descending
            scores = values.cpu();
            candidates = indices.cpu();
        } else {
            auto [values, indices] = scores.sort(/*stable=*/true, 0, /*descending=*/true);
            scores = values.cpu();
            candidates = indices.cpu();
        }
        // top-p (transformers: drop the tail whose cumulative probability is <= 1 - top_p, keep >= 1)
        if (m_params.topP < 1.0) {
            const at::Tensor ascending = scores.flip(0);
            const at::Tensor cumulative = at::softmax(ascending, 0).cumsum(0);
            at::Tensor remove = (cumulative <= (1.0 - m_params.topP)).flip(0);
            remove[0] = false;
            scores = scores.masked_fill(remove, -std::numeric_limits<float>::infinity());
        }
        if (m_params.minP > 0.0) {
            const at::Tensor probabilities = at::softmax(scores, 0);
            at::Tensor remove = probabilities < probabilities.max() * m_params.minP;
            remove[0] = false;
            scores = scores.masked_fill(remove, -std::numeric_limits<float>::infinity());
        }
        const at::Tensor probabilities = at::softmax(scores, 0);
        const int64_t pick = at::multinomial(probabilities, 1, false, m_generator).item<int64_t>();
        token = candidates[pick].item<int64_t>();
    }
    remember(token);
    return token;
}

} // namespace vora::core
