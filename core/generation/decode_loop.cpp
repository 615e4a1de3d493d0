#include "core/generation/decode_loop.h"

#include "core/error.h"

#include <torch/torch.h>

#include <algorithm>

namespace vora::core {

void requireFiniteLogits(const at::Tensor& allFinite, const std::string& where)
{
    require(allFinite.item<bool>(), ErrorCode::InvalidConfig,
            "the model computed non-finite logits (NaN or infinity) " + where
                + ": its weights or config.json are broken (NaN weights, rope_theta, rms_norm_eps, ...)");
}

EosSuppression::EosSuppression(const StopCriteria& stop, int64_t vocab, c10::Device device)
    : m_minNewTokens(stop.minNewTokens)
{
    m_mask = at::zeros({vocab}, at::TensorOptions().dtype(at::kBool));
    for (int64_t id : stop.eosIds) {
        if (id >= 0 && id < vocab) {
            m_mask[id] = true;
        }
    }
    m_mask = m_mask.to(device);
}

at::Tensor EosSuppression::forToken(int64_t k) const
{
    return k < m_minNewTokens ? m_mask : at::Tensor();
}

DecodeLoopOutcome runDecodeLoop(DecodeStepper& stepper, const DecodeLoopRules& rules,
                                std::chrono::steady_clock::time_point started)
{
    using Clock = std::chrono::steady_clock;
    DecodeLoopOutcome out;
    int64_t produced = 1; // token 0 comes from the prefill
    Clock::time_point firstRead;
    for (int64_t k = 0;; ++k) {
        if (rules.stopRequested && rules.stopRequested->load(std::memory_order_relaxed)) {
            out.reason = StopReason::Cancelled;
            break;
        }
        // Token 0 is the prefill's and already on the host: it is read (and streamed) before any step is
        // queued, so the first token's time never includes a step (an eager step's launches on a GPU take
        // about as long as the step) and a stop at token 0 leaves no step to discard.
        while (k > 0 && produced < rules.maxNewTokens && produced < k + rules.depth) {
            stepper.enqueue();
            ++produced;
        }
        const int64_t token = stepper.token(k);
        out.tokens.push_back(token);
        if (k == 0) {
            firstRead = Clock::now();
            out.timeToFirstTokenMs = std::chrono::duration<double, std::milli>(firstRead - started).count();
        }
        if (rules.onToken && !rules.onToken(token)) {
            out.reason = StopReason::StopString;
            break;
        }
        if (std::find(rules.eosIds.begin(), rules.eosIds.end(), token) != rules.eosIds.end()) {
            out.reason = StopReason::Eos;
            break;
        }
        if (static_cast<int>(out.tokens.size()) >= rules.maxNewTokens) {
            out.reason = StopReason::Length;
            break;
        }
    }
    out.fedTokens = produced - 1;
    if (out.tokens.size() > 1) {
        const double seconds = std::chrono::duration<double>(Clock::now() - firstRead).count();
        out.decodeTokensPerSecond = static_cast<double>(out.tokens.size() - 1) / seconds;
    }
    return out;
}

} // namespace vora::core
