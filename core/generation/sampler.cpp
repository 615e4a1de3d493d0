#include "core/generation/sampler.h"

#include "core/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <limits>
#include <mutex>
#include <random>

namespace vora::core {
namespace {

constexpr float kMinusInfinity = -std::numeric_limits<float>::infinity();

// The tokens a draw may choose from, most likely first, as scores (-inf for those top-p or min-p
// removed); greedy: the argmax alone. All on the logits' device, without waiting for it.
struct Candidates {
    at::Tensor scores;  // [N] float32
    at::Tensor indices; // [N] int64
};

at::Tensor penalised(const SamplingParams& params, const at::Tensor& logits, const at::Tensor& seen)
{
    if (params.repetitionPenalty == 1.0 || !seen.defined()) {
        return logits;
    }
    const at::Tensor adjusted = at::where(logits < 0, logits * params.repetitionPenalty, logits / params.repetitionPenalty);
    return at::where(seen, adjusted, logits);
}

Candidates candidates(const SamplingParams& params, const at::Tensor& rawLogits, const at::Tensor& seen,
                      const at::Tensor& suppressed)
{
    at::Tensor logits = penalised(params, rawLogits.to(at::kFloat), seen);
    if (suppressed.defined()) {
        logits = logits.masked_fill(suppressed, kMinusInfinity);
    }
    if (params.greedy()) {
        return {at::zeros({1}, logits.options()), logits.argmax().reshape({1})};
    }
    const at::Tensor scores = logits / params.temperature;
    Candidates out;
    if (params.topK > 0 && params.topK < scores.size(0)) {
        std::tie(out.scores, out.indices) = scores.topk(params.topK); // sorted descending
    } else {
        std::tie(out.scores, out.indices) = scores.sort(/*stable=*/true, 0, /*descending=*/true);
    }
    // transformers' TopPLogitsWarper: drop the tail whose cumulative probability is <= 1 - top_p,
    // always keeping the most likely token.
    if (params.topP < 1.0) {
        const at::Tensor cumulative = at::softmax(out.scores.flip(0), 0).cumsum(0);
        const at::Tensor remove = (cumulative <= (1.0 - params.topP)).flip(0);
        remove.narrow(0, 0, 1).fill_(false);
        out.scores = out.scores.masked_fill(remove, kMinusInfinity);
    }
    // transformers' MinPLogitsWarper: drop tokens below minP x the top probability.
    if (params.minP > 0.0) {
        const at::Tensor probabilities = at::softmax(out.scores, 0);
        const at::Tensor remove = probabilities < probabilities.max() * params.minP;
        remove.narrow(0, 0, 1).fill_(false);
        out.scores = out.scores.masked_fill(remove, kMinusInfinity);
    }
    return out;
}

// Inverse CDF over the survivors (scores sorted descending, -inf for dropped ones): the first index whose
// cumulative probability exceeds u x total, kept inside the survivors whatever the rounding.
at::Tensor inverseCdfPick(const at::Tensor& scores, const at::Tensor& uniform)
{
    const at::Tensor probabilities = at::softmax(scores, 0);
    const at::Tensor cumulative = probabilities.cumsum(0);
    const at::Tensor threshold = uniform.to(at::kFloat) * cumulative.narrow(0, scores.size(0) - 1, 1);
    const at::Tensor below = (cumulative <= threshold).sum();
    const at::Tensor lastSurvivor = (probabilities > 0).sum() - 1;
    return at::minimum(below, lastSurvivor).reshape({1});
}

} // namespace

at::Tensor drawToken(const SamplingParams& params, const at::Tensor& logits, const at::Tensor& seen,
                     const at::Tensor& uniform, const at::Tensor& suppressed)
{
    const Candidates chosen = candidates(params, logits, seen, suppressed);
    const at::Tensor token = params.greedy() ? chosen.indices
                                             : chosen.indices.index_select(0, inverseCdfPick(chosen.scores, uniform));
    if (seen.defined()) {
        seen.index_fill_(0, token, true);
    }
    return token;
}

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

at::Tensor Sampler::seenMask(int64_t vocab, c10::Device device)
{
    if (m_params.repetitionPenalty == 1.0) {
        return {};
    }
    if (!m_seenMask.defined() || m_seenMask.device() != device) {
        m_seenMask = at::zeros({vocab}, at::TensorOptions().dtype(at::kBool).device(device));
        if (!m_history.empty()) {
            const at::Tensor ids = at::tensor(m_history, at::TensorOptions().dtype(at::kLong)).to(device);
            m_seenMask.index_fill_(0, ids.clamp(0, vocab - 1), true);
        }
    }
    return m_seenMask;
}

double Sampler::nextUniform()
{
    auto* generator = at::check_generator<at::CPUGeneratorImpl>(m_generator);
    const std::lock_guard<std::mutex> lock(m_generator.mutex());
    return static_cast<double>(generator->random64() >> 11) * 0x1.0p-53; // 53 random bits in [0, 1)
}

at::Tensor Sampler::takeUniforms(int64_t count)
{
    at::Tensor uniforms = at::empty({count}, at::TensorOptions().dtype(at::kDouble));
    double* data = uniforms.data_ptr<double>();
    for (int64_t i = 0; i < count; ++i) {
        data[i] = nextUniform();
    }
    return uniforms;
}

at::Tensor Sampler::suppressionMask(const at::Tensor& logits, const std::vector<int64_t>& suppressed) const
{
    if (suppressed.empty()) {
        return {};
    }
    at::Tensor mask = at::zeros({logits.size(0)}, at::TensorOptions().dtype(at::kBool).device(logits.device()));
    mask.index_fill_(0, at::tensor(suppressed, at::TensorOptions().dtype(at::kLong)).to(logits.device()), true);
    return mask;
}

TokenDistribution Sampler::distribution(const at::Tensor& logits, const std::vector<int64_t>& suppressed)
{
    const Candidates chosen = candidates(m_params, logits, seenMask(logits.size(0), logits.device()),
                                         suppressionMask(logits, suppressed));
    if (m_params.greedy()) {
        return {chosen.indices.cpu(), at::ones({1}, at::kFloat)};
    }
    return {chosen.indices.cpu(), at::softmax(chosen.scores, 0).cpu()};
}

at::Tensor Sampler::draw(const at::Tensor& logits, const at::Tensor& suppressed)
{
    const at::Tensor uniform = m_params.greedy()
        ? at::Tensor()
        : at::full({1}, nextUniform(), at::TensorOptions().dtype(at::kDouble).device(logits.device()));
    return drawToken(m_params, logits, seenMask(logits.size(0), logits.device()), uniform, suppressed);
}

int64_t Sampler::next(const at::Tensor& logits, const std::vector<int64_t>& suppressed)
{
    return draw(logits, suppressionMask(logits, suppressed)).item<int64_t>();
}

} // namespace vora::core
