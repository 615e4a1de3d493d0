#include "core/generation/eager_stepper.h"

#include "core/generation/sampler.h"
#include "core/model/kv_cache.h"
#include "core/model/vora_model.h"

#include <torch/torch.h>

namespace vora::core {

EagerStepper::EagerStepper(const VoraModel& model, KvCache& cache, Sampler& sampler, const EosSuppression& suppression,
                           const ForwardOptions& forward, std::function<void(const at::Tensor&)> onStepLogits,
                           at::Tensor firstToken)
    : m_model(model)
    , m_cache(cache)
    , m_sampler(sampler)
    , m_suppression(suppression)
    , m_forward(forward)
    , m_onStepLogits(std::move(onStepLogits))
{
    m_tokens.push_back(std::move(firstToken));
}

void EagerStepper::enqueue()
{
    const DecoderModel& decoder = m_model.decoder();
    const AttentionMaskSpec overEverything{{}, at::Tensor(), false};
    const at::Tensor ids = m_tokens.back().view({1, 1});
    const at::Tensor hidden = decoder.forward(decoder.embed(ids), m_cache.length(), overEverything, &m_cache, m_forward);
    const at::Tensor logits = decoder.logits(hidden.select(1, 0)).squeeze(0).to(at::kFloat);
    if (m_onStepLogits) {
        m_onStepLogits(logits);
    }
    const auto k = static_cast<int64_t>(m_tokens.size());
    m_tokens.push_back(m_sampler.draw(logits, m_suppression.forToken(k)));
    // Checked when the token is read, so a queued step does not wait for the device here.
    m_finite.push_back(at::isfinite(logits).all());
}

int64_t EagerStepper::token(int64_t k)
{
    const auto index = static_cast<size_t>(k);
    const int64_t token = m_tokens.at(index).item<int64_t>();
    if (k > 0) { // token 0 comes from the prefill's logits, checked there
        requireFiniteLogits(m_finite.at(index - 1), "for generated token " + std::to_string(k + 1));
    }
    return token;
}

} // namespace vora::core
