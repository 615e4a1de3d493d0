#pragma once
// Decode steps run op by op through the decoder (any device, any attention path, observers included).
// On a GPU nothing waits for the device until a token is read, so the decode loop can still keep a step
// in flight; on the CPU every step completes inside enqueue().
#include "core/generation/decode_loop.h"
#include "core/model/decoder_model.h"

#include <functional>
#include <vector>

namespace vora::core {

class KvCache;
class Sampler;
class VoraModel;

class EagerStepper : public DecodeStepper {
public:
    // firstToken: [1] int64 on the model's device (drawn from the prefill's logits); the cache holds every
    // position before it. onStepLogits (optional) sees the logits ([V] float32) each token is drawn from.
    EagerStepper(const VoraModel& model, KvCache& cache, Sampler& sampler, const EosSuppression& suppression,
                 const ForwardOptions& forward, std::function<void(const at::Tensor&)> onStepLogits,
                 at::Tensor firstToken);

    void enqueue() override;
    int64_t token(int64_t k) override;

private:
    const VoraModel& m_model;
    KvCache& m_cache;
    Sampler& m_sampler;
    const EosSuppression& m_suppression;
    ForwardOptions m_forward;
    std::function<void(const at::Tensor&)> m_onStepLogits;
    std::vector<at::Tensor> m_tokens; // [1] int64 on the device, in order
    std::vector<at::Tensor> m_finite; // m_finite[k - 1]: bool scalar, token k's logits were all finite
};

} // namespace vora::core
