// The runtime against HF transformers + the VoRA reference (tests/reference/make_tiny_vora.py):
// prompt logits, greedy continuations, merged vs unmerged LoRA, fused vs explicit attention.
//
// Tolerance: float32 on CPU, the same math in a different order (HF eager attention and matmuls vs
// LibTorch SDPA and our op sequence). Observed: at most 2.4e-6 on logits up to ~3 (about ten float32
// ulps there) over every case below; 2e-5 leaves room for other BLAS builds and summation orders and
// still fails on a wrong RMSNorm epsilon (1e-5 for 1e-6 moves the logits by 1e-3; wrongNormEpsilonIsCaught).
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/vora_model.h"
#include "tensor_fixtures.h"

#include <QTest>

#include <filesystem>
#include <map>

using namespace vora::core;

namespace {

constexpr double kLogitTolerance = 2e-5;

// Cases tests/reference/make_tiny_vora.py writes per model: a missing or emptied expected/ folder fails.
const std::map<std::string, size_t> kExpectedCases = {
    {"qwen2_vora_merged", 5}, {"qwen2_vora_unmerged", 5}, {"llama_vora_tied", 5}, {"qwen2_text", 1}, {"llama_text", 1}};

PromptInput promptFromFixture(const SafetensorsFile& expected)
{
    PromptInput prompt;
    prompt.ids = fixtureIds(expected, "input_ids");
    for (int i = 0; expected.contains("pixel_values_" + std::to_string(i)); ++i) {
        const at::Tensor pixels = fixtureTensor(expected, "pixel_values_" + std::to_string(i)).contiguous();
        ImagePixels image;
        image.height = static_cast<int>(pixels.size(2));
        image.width = static_cast<int>(pixels.size(3));
        image.chw.assign(pixels.data_ptr<float>(), pixels.data_ptr<float>() + pixels.numel());
        prompt.images.push_back(std::move(image));
    }
    return prompt;
}

std::vector<std::string> casesOf(const std::string& variant)
{
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(tinyModelDir(variant) + "/expected")) {
        if (entry.path().extension() == ".safetensors") {
            names.push_back(entry.path().stem().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

class TestModelReference : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesReference_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<QString>("checkpoint");
        QTest::addColumn<bool>("mergeLora");
        QTest::addColumn<QString>("attention");
        QTest::addColumn<bool>("fuseProjections");
        for (const char* variant : {"qwen2_vora_merged", "qwen2_vora_unmerged", "llama_vora_tied", "qwen2_text", "llama_text"}) {
            for (const char* attention : {"fused", "explicit"}) {
                QTest::addRow("%s/%s", variant, attention) << variant << variant << true << attention << false;
            }
            QTest::addRow("%s/stacked projections", variant) << variant << variant << true << "fused" << true;
        }
        QTest::addRow("unmerged run unmerged") << "qwen2_vora_unmerged" << "qwen2_vora_unmerged" << false << "fused" << true;
        QTest::addRow("merged by the reference") << "qwen2_vora_unmerged" << "qwen2_vora_unmerged_premerged" << true
                                                 << "fused" << false;
    }

    void matchesReference()
    {
        QFETCH(QString, variant);
        QFETCH(QString, checkpoint);
        QFETCH(bool, mergeLora);
        QFETCH(QString, attention);
        QFETCH(bool, fuseProjections);
        ModelLoadOptions options;
        options.mergeLora = mergeLora;
        const auto model = VoraModel::load(tinyModelDir(checkpoint.toStdString()), options);
        if (fuseProjections) {
            model->decoder().fuseForInference();
            const auto& attention0 = model->decoder().layers[0].self_attn;
            QCOMPARE(attention0.qkv_proj.weight.defined(), mergeLora); // unmerged LoRA keeps q/k/v apart
        }
        if (variant.contains(QLatin1String("unmerged")) && checkpoint == variant) {
            QCOMPARE(mergeLora ? model->report().loraLayersMerged : model->report().loraLayersUnmerged, 2 * 7);
        }
        const AttentionImpl impl = attention == QLatin1String("fused") ? AttentionImpl::Fused : AttentionImpl::Explicit;

        const std::vector<std::string> cases = casesOf(variant.toStdString());
        QCOMPARE(cases.size(), kExpectedCases.at(variant.toStdString()));
        size_t compared = 0;
        for (const std::string& name : cases) {
            const auto expected = SafetensorsFile::open(tinyModelDir(variant.toStdString()) + "/expected/" + name + ".safetensors");
            const AssembledSequence sequence = assembleSequence(*model, promptFromFixture(*expected));
            const at::Tensor isImage = fixtureTensor(*expected, "is_image");
            QCOMPARE(sequence.length(), isImage.size(0));

            const at::Tensor logits = promptLogits(*model, sequence, impl);
            const at::Tensor reference = fixtureTensor(*expected, "logits");
            QCOMPARE(logits.sizes().vec(), reference.sizes().vec());
            const double diff = maxAbsDiff(logits, reference);
            QVERIFY2(diff < kLogitTolerance, qPrintable(QStringLiteral("%1: max |logit diff| %2").arg(QString::fromStdString(name)).arg(diff)));

            SamplingParams greedy;
            greedy.temperature = 0;
            greedy.repetitionPenalty = 1.0;
            StopCriteria stop;
            stop.maxNewTokens = 8;
            GenerationHooks hooks;
            hooks.attention = impl;
            const GenerationOutput output = generate(*model, sequence, greedy, stop, hooks);
            QCOMPARE(output.tokens, fixtureIds(*expected, "greedy"));
            ++compared;
        }
        QCOMPARE(compared, kExpectedCases.at(variant.toStdString()));
    }

    // The tolerance is tight enough to see a wrong RMSNorm epsilon (1e-5 where config.json says 1e-6).
    void wrongNormEpsilonIsCaught()
    {
        for (const char* variant : {"qwen2_vora_merged", "llama_vora_tied", "qwen2_text"}) {
            const auto model = VoraModel::load(tinyModelDir(variant));
            QCOMPARE(model->config().rmsNormEps, 1e-6);
            DecoderModel& decoder = model->decoder();
            for (DecoderLayer& layer : decoder.layers) {
                layer.input_layernorm.eps = 1e-5;
                layer.post_attention_layernorm.eps = 1e-5;
            }
            decoder.norm.eps = 1e-5;
            if (model->vision()) {
                model->vision()->patchifier.norm.eps = 1e-5;
            }
            double smallest = 1e9;
            const std::vector<std::string> cases = casesOf(variant);
            QCOMPARE(cases.size(), kExpectedCases.at(variant));
            for (const std::string& name : cases) {
                const auto expected = SafetensorsFile::open(tinyModelDir(variant) + "/expected/" + name + ".safetensors");
                const at::Tensor logits = promptLogits(*model, assembleSequence(*model, promptFromFixture(*expected)), AttentionImpl::Fused);
                smallest = std::min(smallest, maxAbsDiff(logits, fixtureTensor(*expected, "logits")));
            }
            QVERIFY2(smallest > kLogitTolerance, qPrintable(QStringLiteral("%1: %2").arg(variant).arg(smallest)));
        }
    }

    void cacheDecodeEqualsFullRecompute()
    {
        // Decode logits (KV cache) vs a fresh forward over prompt + generated tokens.
        const auto model = VoraModel::load(tinyModelDir("qwen2_vora_merged"));
        const auto expected = SafetensorsFile::open(tinyModelDir("qwen2_vora_merged") + "/expected/two_images_large.safetensors");
        PromptInput prompt = promptFromFixture(*expected);
        SamplingParams sampling;
        sampling.temperature = 1.0;
        sampling.topK = 0;
        sampling.topP = 1.0;
        sampling.seed = 7;
        StopCriteria stop;
        stop.maxNewTokens = 12;
        const GenerationOutput output = generate(*model, assembleSequence(*model, prompt), sampling, stop);
        QCOMPARE(output.tokens.size(), size_t(12));

        PromptInput extended = prompt;
        extended.ids.insert(extended.ids.end(), output.tokens.begin(), output.tokens.end() - 1);
        const AssembledSequence full = assembleSequence(*model, extended);
        const at::Tensor recomputed = promptLogits(*model, full, AttentionImpl::Explicit);

        // Re-run the same seeded generation, recording the logits each decode step drew from.
        std::vector<at::Tensor> stepLogits;
        GenerationHooks hooks;
        hooks.keepPrefillLogits = true;
        hooks.onStepLogits = [&](const at::Tensor& logits) { stepLogits.push_back(logits.cpu()); };
        const GenerationOutput again = generate(*model, assembleSequence(*model, prompt), sampling, stop, hooks);
        QCOMPARE(again.tokens, output.tokens); // seeded sampling is reproducible
        const int64_t promptLength = assembleSequence(*model, prompt).length();
        const double prefillDiff = maxAbsDiff(again.prefillLogits, recomputed.narrow(0, 0, promptLength));
        QVERIFY2(prefillDiff < kLogitTolerance, qPrintable(QString::number(prefillDiff)));
        QCOMPARE(stepLogits.size(), output.tokens.size());
        for (size_t i = 0; i < stepLogits.size(); ++i) {
            const double diff = maxAbsDiff(stepLogits[i], recomputed[promptLength - 1 + static_cast<int64_t>(i)]);
            QVERIFY2(diff < kLogitTolerance, qPrintable(QStringLiteral("step %1: %2").arg(i).arg(diff)));
        }
    }

    void textModelRefusesImages()
    {
        const auto model = VoraModel::load(tinyModelDir("qwen2_text"));
        QVERIFY(!model->vision().has_value());
        PromptInput prompt;
        prompt.ids = {1, kImageTokenSentinel, 2};
        prompt.images.resize(1);
        QVERIFY(throwsCoreError([&] { assembleSequence(*model, prompt); }));
    }

    void placeholderCountMustMatchImages()
    {
        const auto model = VoraModel::load(tinyModelDir("qwen2_vora_merged"));
        PromptInput prompt;
        prompt.ids = {1, kImageTokenSentinel, 2, kImageTokenSentinel};
        prompt.images.resize(1);
        QVERIFY(throwsCoreError([&] { assembleSequence(*model, prompt); }));
        prompt.ids = {1, 999999};
        prompt.images.clear();
        QVERIFY(throwsCoreError([&] { assembleSequence(*model, prompt); }));
    }

    void cancellationStopsBeforeTheNextStep()
    {
        const auto model = VoraModel::load(tinyModelDir("qwen2_vora_merged"));
        PromptInput prompt;
        prompt.ids = {5, 6, 7};
        std::atomic<bool> stopFlag{false};
        GenerationHooks hooks;
        hooks.stopRequested = &stopFlag;
        int seen = 0;
        hooks.onToken = [&](int64_t) {
            if (++seen == 3) {
                stopFlag = true;
            }
            return true;
        };
        SamplingParams greedy;
        greedy.temperature = 0;
        StopCriteria stop;
        stop.maxNewTokens = 50;
        const GenerationOutput output = generate(*model, assembleSequence(*model, prompt), greedy, stop, hooks);
        QCOMPARE(output.stats.stopReason, StopReason::Cancelled);
        QCOMPARE(output.tokens.size(), size_t(3));
    }

    void eosAndMinNewTokens()
    {
        const auto model = VoraModel::load(tinyModelDir("qwen2_vora_merged"));
        const auto expected = SafetensorsFile::open(tinyModelDir("qwen2_vora_merged") + "/expected/text_only.safetensors");
        const std::vector<int64_t> greedyTokens = fixtureIds(*expected, "greedy");
        PromptInput prompt = promptFromFixture(*expected);
        SamplingParams greedy;
        greedy.temperature = 0;
        StopCriteria stop;
        stop.maxNewTokens = 8;
        stop.eosIds = {greedyTokens[2]}; // the third greedy token ends the answer
        GenerationOutput output = generate(*model, assembleSequence(*model, prompt), greedy, stop);
        QCOMPARE(output.stats.stopReason, StopReason::Eos);
        QCOMPARE(output.tokens, std::vector<int64_t>(greedyTokens.begin(), greedyTokens.begin() + 3));
        stop.minNewTokens = 6; // eos is suppressed until six tokens exist
        output = generate(*model, assembleSequence(*model, prompt), greedy, stop);
        QVERIFY(output.tokens.size() >= 6);
        for (size_t i = 0; i < 6; ++i) {
            QVERIFY(output.tokens[i] != greedyTokens[2]);
        }
    }
};

QTEST_GUILESS_MAIN(TestModelReference)
#include "test_model_reference.moc"
