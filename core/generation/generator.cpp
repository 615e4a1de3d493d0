#include "core/generation/generator.h"

#include "core/device/memory_stats.h"
#include "core/error.h"
#include "core/generation/attention_mask.h"
#include "core/generation/decode_graphs.h"
#include "core/generation/decode_loop.h"
#include "core/generation/eager_stepper.h"
#include "core/generation/sampler.h"
#include "core/model/kv_cache.h"
#include "core/model/vora_model.h"

#include <ATen/record_function.h>
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

bool graphsApply(const DecodeGraphs* graphs, const GenerationHooks& hooks, int maxNewTokens)
{
    if (!graphs || hooks.attention != AttentionImpl::Fused || hooks.onStepLogits) {
        return false;
    }
    return !hooks.observer
        || (hooks.decodeCapture && graphs->whyNoCapture(*hooks.decodeCapture, maxNewTokens).empty());
}

// The kernels hand an observer what the eager fused path does (the last row); the explicit path's full
// probabilities need the eager forward.
bool prefillsOnKernels(const DecodeGraphs* graphs, AttentionImpl attention)
{
    return graphs && graphs->prefillsOnKernels() && attention == AttentionImpl::Fused;
}

} // namespace

at::Tensor promptLogits(const VoraModel& model, const AssembledSequence& sequence, AttentionImpl attention,
                        AttentionObserver* observer, DecodeGraphs* graphs)
{
    const c10::InferenceMode inference;
    require(sequence.embeddedFrom == 0, ErrorCode::InvalidArgument, "prompt logits need the whole sequence embedded");
    return guardMemory(model, [&] {
        const AttentionMaskSpec mask = buildAttentionMask(sequence.isImage, 0, attentionMaskModeOf(model.config()));
        if (prefillsOnKernels(graphs, attention)) {
            const ModelConfig& c = model.config();
            KvCache cache(c.numLayers, 1, c.numKeyValueHeads, sequence.length(), c.headDim, model.device(), model.dtype());
            at::Tensor logits = graphs->prefill(cache, sequence.embeddings, mask, true, observer).cpu();
            requireFiniteLogits(at::isfinite(logits).all(), "for the prompt");
            return logits;
        }
        ForwardOptions options;
        options.impl = attention;
        options.observer = observer;
        const at::Tensor hidden = model.decoder().forward(sequence.embeddings, 0, mask, nullptr, options);
        at::Tensor logits = model.decoder().logits(hidden).squeeze(0).to(at::kFloat).cpu();
        requireFiniteLogits(at::isfinite(logits).all(), "for the prompt");
        return logits;
    });
}

GenerationOutput generateWithCache(const VoraModel& model, KvCache& cache, const AssembledSequence& sequence,
                                   const SamplingParams& sampling, const StopCriteria& stop,
                                   const GenerationHooks& hooks, DecodeGraphs* graphs)
{
    const c10::InferenceMode inference;
    validateStopCriteria(stop);
    const int64_t promptLength = sequence.length();
    const int64_t past = cache.length();
    require(sequence.embeddedFrom == past, ErrorCode::Internal,
            "the sequence is embedded from position " + std::to_string(sequence.embeddedFrom) + " but the cache holds "
                + std::to_string(past));
    require(promptLength < model.maxContext(), ErrorCode::InvalidArgument,
            "the prompt (" + std::to_string(promptLength) + " tokens) fills the model's context of "
                + std::to_string(model.maxContext()) + " tokens: shorten it or start a new conversation");
    // The budget is clipped to the context; hitting it ends the answer with StopReason::Length.
    const int maxNewTokens = static_cast<int>(std::min<int64_t>(stop.maxNewTokens, model.maxContext() - promptLength));

    return guardMemory(model, [&] {
        GenerationOutput output;
        resetPeakMemory(model.device());
        const ModelConfig& config = model.config();
        cache.reserve(promptLength + maxNewTokens);
        Sampler sampler(sampling);
        sampler.setHistory(sequence.textIds());
        const EosSuppression suppression(stop, config.vocabSize, model.device());
        ForwardOptions forward;
        forward.impl = hooks.attention;
        forward.observer = hooks.observer;

        const auto started = Clock::now();
        // The phases as traces name them (vora bench --trace): the prefill until the first token is drawn.
        at::RecordFunction prefillPhase(at::RecordScope::USER_SCOPE);
        if (prefillPhase.isActive()) {
            prefillPhase.before("vora::prefill");
        }
        const AttentionMaskSpec prefillMask = buildAttentionMask(sequence.isImage, past, attentionMaskModeOf(model.config()));
        const int64_t prefilled = promptLength - past;
        // Float32 logits of every prefilled row when they are kept, else of the last: [rows, V].
        at::Tensor rowLogits;
        if (prefillsOnKernels(graphs, hooks.attention)) {
            rowLogits = graphs->prefill(cache, sequence.embeddings, prefillMask, hooks.keepPrefillLogits, hooks.observer);
            output.prefillPath = "cuda-kernels";
        } else {
            const at::Tensor hidden = model.decoder().forward(sequence.embeddings, past, prefillMask, &cache, forward);
            const at::Tensor rows = hooks.keepPrefillLogits ? hidden.squeeze(0) : hidden.select(1, prefilled - 1);
            rowLogits = model.decoder().logits(rows).to(at::kFloat);
            output.prefillPath = "eager";
        }
        if (hooks.keepPrefillLogits) {
            output.prefillLogits = rowLogits.cpu();
        }
        const at::Tensor lastLogits = rowLogits[rowLogits.size(0) - 1];
        if (hooks.onStepLogits) {
            hooks.onStepLogits(lastLogits);
        }
        requireFiniteLogits(at::isfinite(lastLogits).all(), "for the prompt");
        at::Tensor first = sampler.draw(lastLogits, suppression.forToken(0));
        synchronizeDevice(model.device());
        output.stats.prefillMs = millisecondsSince(started);
        prefillPhase.end();

        std::unique_ptr<DecodeStepper> stepper;
        DecodeAttentionCapture* capture = hooks.observer ? hooks.decodeCapture : nullptr;
        if (hooks.decodeCapture) {
            hooks.decodeCapture->rows = at::Tensor();
            hooks.decodeCapture->rowsWritten = 0;
        }
        const bool onGraphs = graphsApply(graphs, hooks, maxNewTokens);
        if (onGraphs) {
            stepper = graphs->start(cache, sampler, suppression, first, maxNewTokens, capture);
            output.decodePath = graphs->description();
        } else {
            stepper = std::make_unique<EagerStepper>(model, cache, sampler, suppression, forward, hooks.onStepLogits, first);
            output.decodePath = "eager";
        }
        DecodeLoopRules rules;
        rules.maxNewTokens = maxNewTokens;
        rules.eosIds = stop.eosIds;
        rules.onToken = hooks.onToken;
        rules.stopRequested = hooks.stopRequested;
        rules.depth = hooks.stepsInFlight > 0 ? hooks.stepsInFlight : (model.device().is_cuda() ? 2 : 1);
        const DecodeLoopOutcome outcome = [&] {
            RECORD_USER_SCOPE("vora::decode");
            return runDecodeLoop(*stepper, rules, started);
        }();
        stepper.reset();
        if (onGraphs && capture) {
            // Token k >= 1 came from the step whose query is row k - 1.
            capture->rowsWritten = std::max<int64_t>(0, static_cast<int64_t>(outcome.tokens.size()) - 1);
        }
        // Eager steps advanced the cache themselves; graph steps wrote past its host-side length.
        const int64_t cached = promptLength + outcome.fedTokens;
        if (cache.length() < cached) {
            cache.commit(cached - cache.length());
        } else {
            cache.truncate(cached);
        }

        output.tokens = outcome.tokens;
        output.stats.stopReason = outcome.reason;
        output.fedTokens = outcome.fedTokens;
        output.prefilledTokens = prefilled;
        output.stats.timeToFirstTokenMs = outcome.timeToFirstTokenMs;
        output.stats.decodeTokensPerSecond = outcome.decodeTokensPerSecond;
        output.stats.promptTokens = promptLength;
        output.stats.imageTokens = std::count(sequence.isImage.begin(), sequence.isImage.end(), uint8_t(1));
        output.stats.generatedTokens = static_cast<int64_t>(outcome.tokens.size());
        output.stats.peakMemoryBytes = peakMemoryBytes(model.device());
        return output;
    });
}

GenerationOutput generate(const VoraModel& model, const AssembledSequence& sequence, const SamplingParams& sampling,
                          const StopCriteria& stop, const GenerationHooks& hooks, DecodeGraphs* graphs)
{
    const ModelConfig& config = model.config();
    const int64_t capacity = std::min<int64_t>(sequence.length() + stop.maxNewTokens, model.maxContext());
    KvCache cache(config.numLayers, 1, config.numKeyValueHeads, capacity, config.headDim, model.device(), model.dtype());
    return generateWithCache(model, cache, sequence, sampling, stop, hooks, graphs);
}

} // namespace vora::core
