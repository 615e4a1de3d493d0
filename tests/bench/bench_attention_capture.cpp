// Prints the decode cost of attention capture (not a test: no assertions on time).
//   build/dev/tests/bench_attention_capture MODEL_DIR [prompt_tokens=512] [image_tokens=256] [new_tokens=64] [repeats=3]
// Any checkpoint works, text-only included: the "image" is a span of prompt positions, which is all
// the capture sees. Prints decode tokens/s without capture, with the fused capture at each detail,
// and the explicit path with and without capture, each the best of the repeats.
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/vora_model.h"
#include "core/runtime/attention_recorder.h"

#include <torch/torch.h>

#include <cstdio>
#include <string>

using namespace vora::core;

namespace {

double bestDecodeRate(const VoraModel& model, const AssembledSequence& sequence, int newTokens, int repeats,
                      AttentionImpl impl, AttentionRecorder* recorder, const ImageSpan& span)
{
    SamplingParams greedy;
    greedy.temperature = 0;
    greedy.repetitionPenalty = 1.0;
    StopCriteria stop;
    stop.maxNewTokens = newTokens; // no eos ids: always the full budget
    double best = 0;
    for (int r = 0; r < repeats; ++r) {
        GenerationHooks hooks;
        hooks.attention = impl;
        if (recorder) {
            recorder->begin({span}, sequence.length());
            hooks.observer = recorder->observer();
        }
        const GenerationOutput output = generate(model, sequence, greedy, stop, hooks);
        best = std::max(best, output.stats.decodeTokensPerSecond);
        if (recorder) {
            recorder->tokens(); // the copy back belongs to the cost
        }
    }
    return best;
}

} // namespace

int main(int argc, char** argv)
try {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s MODEL_DIR [prompt_tokens] [image_tokens] [new_tokens] [repeats]\n", argv[0]);
        return 2;
    }
    const int promptTokens = argc > 2 ? std::stoi(argv[2]) : 512;
    const int imageTokens = argc > 3 ? std::stoi(argv[3]) : 256;
    const int newTokens = argc > 4 ? std::stoi(argv[4]) : 64;
    const int repeats = argc > 5 ? std::stoi(argv[5]) : 3;
    const auto model = VoraModel::load(argv[1]);
    PromptInput prompt;
    for (int i = 0; i < promptTokens; ++i) {
        prompt.ids.push_back(100 + (i * 37) % 1000);
    }
    const AssembledSequence sequence = assembleSequence(*model, prompt);
    const ImageSpan span{8, 1, imageTokens}; // a 1 x imageTokens "grid" of prompt positions
    const auto& c = model->config();
    std::printf("model %s: %d layers, %d heads, %d KV heads; prompt %d tokens, span %d, %d new tokens, best of %d, "
                "%d torch threads\n",
                argv[1], c.numLayers, c.numHeads, c.numKeyValueHeads, promptTokens, imageTokens, newTokens, repeats,
                at::get_num_threads());

    const double base = bestDecodeRate(*model, sequence, newTokens, repeats, AttentionImpl::Fused, nullptr, span);
    std::printf("fused, no capture:        %8.2f tok/s\n", base);
    for (const auto& [name, detail] : {std::pair{"mean", AttentionDetail::Mean}, std::pair{"layers", AttentionDetail::Layers},
                                       std::pair{"heads", AttentionDetail::Heads}}) {
        AttentionRecorder recorder({}, detail);
        const double rate = bestDecodeRate(*model, sequence, newTokens, repeats, AttentionImpl::Fused, &recorder, span);
        std::printf("fused, capture %-7s   %8.2f tok/s  (decode time +%.1f%%)\n", name, rate, (base / rate - 1) * 100);
    }
    const double explicitBase = bestDecodeRate(*model, sequence, newTokens, repeats, AttentionImpl::Explicit, nullptr, span);
    AttentionRecorder recorder({}, AttentionDetail::Mean);
    const double explicitRate = bestDecodeRate(*model, sequence, newTokens, repeats, AttentionImpl::Explicit, &recorder, span);
    std::printf("explicit, no capture:     %8.2f tok/s\nexplicit, capture mean:   %8.2f tok/s  (vs fused without: +%.1f%%)\n",
                explicitBase, explicitRate, (base / explicitRate - 1) * 100);
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
}
