#include "core/generation/generator.h"

#include "core/device/memory_stats.h"
#include "core/error.h"
#include "core/generation/attention_mask.h"
#include "core/generation/sampler.h"
#include "core/model/kv_cache.h"
#include "core/model/vora_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace vora::core {
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

VisionAttentionMask maskMode(const VoraModel& model)
{
    const auto& vision = model.config().vision;
    return vision ? vision->attentionMask : VisionAttentionMask::Causal;
}

bool contains(const std::vector<int64_t>& ids, int64_t id)
{
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Runs model work and turns allocator failures into a typed error the UI can explain.
template <typename Work>
auto guardMemory(const VoraModel& model, Work&& work)
{
    try {
        return work();
    } catch (const c10::OutOfMemoryError& error) {
        throw Error(ErrorCode::OutOfMemory, "out of memory on " + model.device().str() + ": " + error.what_without_backtrace());
    }
}

// A broken model (NaN weights, a config whose numbers are out of range) computes NaN or infinite
// logits; sampling from them would quietly return token 0 again and again.
void requireFiniteLogits(const at::Tensor& logits, const std::string& where)
{
    require(at::isfinite(logits).all().item<bool>(), ErrorCode::InvalidConfig,
            "the model computed non-finite logits (NaN or infinity) " + where
                + ": its weights or config.json are broken (NaN weights, rope_theta, rms_norm_eps, ...)");
}

} // namespace

at::Tensor promptLogits(const VoraModel& model, const AssembledSequence& sequence, AttentionImpl attention,
                        AttentionObserver* observer)
{
    const c10::InferenceMode inference;
    return guardMemory(model, [&] {
        const AttentionMaskSpec mask = buildAttentionMask(sequence.isImage, 0, maskMode(model), model.device());
        ForwardOptions options;
        options.impl = attention;
        options.observer = observer;
        const at::Tensor hidden = model.decoder().forward(sequence.embeddings, 0, mask, nullptr, options);
        at::Tensor logits = model.decoder().logits(hidden).squeeze(0).to(at::kFloat).cpu();
        requireFiniteLogits(logits, "for the prompt");
        return logits;
    });
}

GenerationOutput generate(const VoraModel& model, const AssembledSequence& sequence, const SamplingParams& sampling,
                          const StopCriteria& stop, const GenerationHooks& hooks)
{
    const c10::InferenceMode inference;
    validateStopCriteria(stop);
    const int64_t promptLength = sequence.length();
    const int64_t capacity = promptLength + stop.maxNewTokens;
    require(capacity <= model.maxContext(), ErrorCode::InvalidArgument,
            "prompt (" + std::to_string(promptLength) + " tokens) + " + std::to_string(stop.maxNewTokens)
                + " new tokens exceed the model's context of " + std::to_string(model.maxContext()));

    return guardMemory(model, [&] {
        GenerationOutput output;
        resetPeakMemory(model.device());
        const ModelConfig& config = model.config();
        KvCache cache(config.numLayers, 1, config.numKeyValueHeads, capacity, config.headDim, model.device(), model.dtype());
        Sampler sampler(sampling);
        sampler.setHistory(sequence.textIds());
        ForwardOptions forward;
        forward.impl = hooks.attention;
        forward.observer = hooks.observer;
        auto cancelled = [&] { return hooks.stopRequested && hooks.stopRequested->load(std::memory_order_relaxed); };
        auto suppressed = [&](int64_t produced) {
            return produced < stop.minNewTokens ? stop.eosIds : std::vector<int64_t>{};
        };

        const auto started = Clock::now();
        const AttentionMaskSpec prefillMask = buildAttentionMask(sequence.isImage, 0, maskMode(model), model.device());
        at::Tensor hidden = model.decoder().forward(sequence.embeddings, 0, prefillMask, &cache, forward);
        at::Tensor lastLogits;
        if (hooks.keepPrefillLogits) {
            const at::Tensor all = model.decoder().logits(hidden).squeeze(0).to(at::kFloat);
            output.prefillLogits = all.cpu();
            lastLogits = all[promptLength - 1];
        } else {
            lastLogits = model.decoder().logits(hidden.select(1, promptLength - 1)).squeeze(0).to(at::kFloat);
        }
        synchronizeDevice(model.device());
        output.stats.prefillMs = millisecondsSince(started);

        const AttentionMaskSpec decodeMask{at::Tensor(), false};
        Clock::time_point decodeStarted;
        while (true) {
            if (cancelled()) {
                output.stats.stopReason = StopReason::Cancelled;
                break;
            }
            if (hooks.onStepLogits) {
                hooks.onStepLogits(lastLogits);
            }
            const auto produced = static_cast<int64_t>(output.tokens.size());
            requireFiniteLogits(lastLogits, "for generated token " + std::to_string(produced + 1));
            const int64_t token = sampler.next(lastLogits, suppressed(produced));
            output.tokens.push_back(token);
            if (output.tokens.size() == 1) {
                output.stats.timeToFirstTokenMs = millisecondsSince(started);
                decodeStarted = Clock::now();
            }
            if (hooks.onToken && !hooks.onToken(token)) {
                output.stats.stopReason = StopReason::StopString;
                break;
            }
            if (contains(stop.eosIds, token)) {
                output.stats.stopReason = StopReason::Eos;
                break;
            }
            if (static_cast<int>(output.tokens.size()) >= stop.maxNewTokens) {
                output.stats.stopReason = StopReason::Length;
                break;
            }
            const at::Tensor ids = at::full({1, 1}, token, at::TensorOptions().dtype(at::kLong).device(model.device()));
            hidden = model.decoder().forward(model.decoder().embed(ids), cache.length(), decodeMask, &cache, forward);
            lastLogits = model.decoder().logits(hidden.select(1, 0)).squeeze(0).to(at::kFloat);
        }
        const auto generated = static_cast<int64_t>(output.tokens.size());
        if (generated > 1) {
            output.stats.decodeTokensPerSecond = static_cast<double>(generated - 1) / (millisecondsSince(decodeStarted) / 1000.0);
        }
        output.stats.promptTokens = promptLength;
        output.stats.imageTokens = std::count(sequence.isImage.begin(), sequence.isImage.end(), uint8_t(1));
        output.stats.generatedTokens = generated;
        output.stats.peakMemoryBytes = peakMemoryBytes(model.device());
        return output;
    });
}

} // namespace vora::core
