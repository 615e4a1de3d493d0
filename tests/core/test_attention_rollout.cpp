// Rollout and prompt-position attention by explicit re-prefill (core/attention/reprefill_attention.h)
// against HF transformers (tests/reference/attention_reference.py writes
// tests/data/attention/<variant>_rollout.json from eager attention with output_attentions=True): for
// every answer token and one prompt position, the rollout over all layers and over layers 0-1, and
// the prompt position's own per-layer and per-head grids; square, wide and tall grids, two images
// apart and two adjacent ones. Also the rollout algebra on hand-computed matrices, the errors for bad
// requests, and the cache.
//
// Tolerance: entries are at most 1; float32 products of a few 30x30 stochastic matrices differ from
// HF's by ~1e-7 (printed); a missing residual, a wrong multiplication order or a wrong row moves them
// by 1e-2 or more.
#include "attention_reference_data.h"
#include "core/attention/attention_rollout.h"
#include "core/attention/reprefill_attention.h"
#include "core/attention/reprefill_cache.h"
#include "core/error.h"
#include "core/model/vora_model.h"
#include "tensor_fixtures.h"

#include "value_comparison.h"

#include <QTest>

#include <torch/torch.h>

using namespace vora::core;

namespace {

constexpr double kTolerance = 1e-5;

// One grid per image: each compared with its expected values.
void addGrids(vora::testing::ValueComparison& comparison, const ImageGrids& actual, const nlohmann::json& expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (size_t j = 0; j < actual.size(); ++j) {
        comparison.add(actual[j], expected[j].get<std::vector<float>>());
    }
}

ReprefillRequest requestOf(const nlohmann::json& testCase, const nlohmann::json& range)
{
    ReprefillRequest request;
    request.prompt = attentionCasePrompt(testCase);
    request.answerIds = testCase.at("answer_ids").get<std::vector<int64_t>>();
    request.promptPositions = {testCase.at("prompt_position").at("position").get<int64_t>()};
    request.rolloutLayers = {range.at("first_layer").get<int>(), range.at("last_layer").get<int>()};
    return request;
}

at::Tensor matrix(std::vector<float> values)
{
    return at::tensor(values).reshape({2, 2});
}

} // namespace

class TestAttentionRollout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void residualAndOrderOnHandValues()
    {
        // A1 = [[1, 0], [.5, .5]] -> A1_hat = [[1, 0], [.25, .75]]; A2 = all .5 -> A2_hat = [[.75, .25], [.25, .75]].
        const at::Tensor first = matrix({1, 0, 0.5f, 0.5f});
        const at::Tensor second = matrix({0.5f, 0.5f, 0.5f, 0.5f});
        QVERIFY(at::allclose(withResidual(first), matrix({1, 0, 0.25f, 0.75f})));
        // R = A2_hat * A1_hat (later layers on the left); A1_hat * A2_hat would be [[.75, .25], [.375, .625]].
        const at::Tensor rolled = rollOneLayer(rollOneLayer({}, first), second);
        QVERIFY(at::allclose(rolled, matrix({0.8125f, 0.1875f, 0.4375f, 0.5625f})));
        // Rows are renormalised: an input whose rows do not sum to 1 still gives a stochastic matrix.
        QVERIFY(at::allclose(withResidual(matrix({2, 0, 0, 0})).sum(-1), at::ones({2})));
        QVERIFY_THROWS_EXCEPTION(Error, withResidual(at::ones({2, 3})));
    }

    void rolloutAndPromptPositionsMatchTransformers_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<bool>("fusedLayout");
        QTest::addRow("qwen2_vora_merged") << QStringLiteral("qwen2_vora_merged") << false;
        QTest::addRow("qwen2_vora_merged, inference layout") << QStringLiteral("qwen2_vora_merged") << true;
        QTest::addRow("llama_vora_tied") << QStringLiteral("llama_vora_tied") << false;
    }

    void rolloutAndPromptPositionsMatchTransformers()
    {
        QFETCH(QString, variant);
        QFETCH(bool, fusedLayout);
        const nlohmann::json expected = readAttentionExpected(variant.toStdString() + "_rollout");
        const auto model = VoraModel::load(tinyModelDir(variant.toStdString()));
        if (fusedLayout) {
            model->decoder().fuseForInference(); // as VoraEngine runs it
        }
        vora::testing::ValueComparison rollout;
        vora::testing::ValueComparison raw;
        size_t cases = 0;
        size_t ranges = 0;
        size_t answerTokens = 0;
        size_t multiImage = 0;
        for (const auto& [name, testCase] : expected.at("cases").items()) {
            for (const auto& [rangeName, range] : testCase.at("rollout").items()) {
                const ReprefillAttention result = reprefillAttention(*model, requestOf(testCase, range));
                QCOMPARE(result.promptLength, testCase.at("prompt_length").get<int64_t>());
                QCOMPARE(result.images.size(), testCase.at("images").size());
                for (size_t j = 0; j < result.images.size(); ++j) {
                    QCOMPARE(result.images[j].start, testCase.at("images")[j].at("first_position").get<int64_t>());
                }
                const auto& wantAnswer = range.at("answer");
                QCOMPARE(result.answerRollout.size(), wantAnswer.size());
                for (size_t t = 0; t < wantAnswer.size(); ++t) {
                    addGrids(rollout, result.answerRollout[t], wantAnswer[t]);
                    ++answerTokens;
                }
                QCOMPARE(result.promptPositionRollout.size(), size_t(1));
                addGrids(rollout, result.promptPositionRollout[0], range.at("prompt_position"));

                const auto& wantPosition = testCase.at("prompt_position");
                const TokenAttention& position = result.promptPositions.at(0);
                QCOMPARE(position.queryPosition, wantPosition.at("position").get<int64_t>());
                QCOMPARE(position.layers.size(), wantPosition.at("layers").size());
                for (size_t l = 0; l < position.layers.size(); ++l) {
                    addGrids(raw, position.layers[l], wantPosition.at("layers")[l]);
                    QCOMPARE(position.heads[l].size(), size_t(model->config().numHeads));
                    for (size_t h = 0; h < position.heads[l].size(); ++h) {
                        addGrids(raw, position.heads[l][h], wantPosition.at("heads")[l][h]);
                    }
                }
                ++ranges;
            }
            multiImage += testCase.at("images").size() > 1 ? 1 : 0;
            ++cases;
        }
        qInfo("%s: %zu cases (%zu with two images), %zu ranges, %zu answer tokens; rollout %zu grids %zu values max "
              "|diff| %.3g; prompt position %zu grids %zu values max |diff| %.3g",
              qPrintable(QTest::currentDataTag()), cases, multiImage, ranges, answerTokens, rollout.grids, rollout.values,
              rollout.maxDiff, raw.grids, raw.values, raw.maxDiff);
        QCOMPARE(cases, size_t(5));
        QCOMPARE(multiImage, size_t(2));
        QCOMPARE(ranges, size_t(10));         // every layer, and layers 0-1
        QCOMPARE(answerTokens, size_t(40));   // 4 tokens per case and range
        QCOMPARE(rollout.grids, size_t(70));  // (4 tokens + 1 position) x (3 + 2 x 2 images) x 2 ranges
        QVERIFY(raw.values > 500);
        QVERIFY2(rollout.maxDiff < kTolerance, qPrintable(QString::number(rollout.maxDiff)));
        QVERIFY2(raw.maxDiff < kTolerance, qPrintable(QString::number(raw.maxDiff)));
    }

    void badRequestsNameTheProblem()
    {
        const auto model = VoraModel::load(tinyModelDir("qwen2_vora_merged"));
        const nlohmann::json expected = readAttentionExpected("qwen2_vora_merged_rollout");
        const auto& testCase = expected.at("cases").at("square");
        const auto expectMessage = [&](ReprefillRequest request, const std::string& part) {
            try {
                reprefillAttention(*model, request);
                QFAIL("no error");
            } catch (const Error& error) {
                QCOMPARE(error.code(), ErrorCode::InvalidArgument);
                QVERIFY2(std::string(error.what()).find(part) != std::string::npos, error.what());
            }
        };
        ReprefillRequest request = requestOf(testCase, testCase.at("rollout").at("all"));
        ReprefillRequest position = request;
        position.promptPositions = {testCase.at("prompt_length").get<int64_t>()};
        expectMessage(position, "prompt position");
        ReprefillRequest layers = request;
        layers.rolloutLayers = {1, 3};
        expectMessage(layers, "rollout layers 1-3");
        ReprefillRequest noImage = request;
        noImage.prompt = {{5, 9, 20}, {}};
        expectMessage(noImage, "at least one image");
    }

    void cacheComputesOncePerRequest()
    {
        ReprefillCache cache(2);
        int computed = 0;
        const auto compute = [&] {
            ++computed;
            ReprefillAttention result;
            result.promptLength = computed;
            return result;
        };
        ReprefillRequest a;
        a.prompt.ids = {1, kImageTokenSentinel};
        a.prompt.images = {formulaImage(28, 28, 0)};
        ReprefillRequest b = a;
        b.prompt.images[0].chw[5] += 1e-3f; // the same prompt with one pixel changed is another request
        ReprefillRequest c = a;
        c.rolloutLayers = {0, 1};
        const auto first = cache.get(a, compute);
        QCOMPARE(cache.get(a, compute).get(), first.get());
        QCOMPARE(computed, 1);
        QVERIFY(cache.get(b, compute).get() != first.get());
        QCOMPARE(computed, 2);
        cache.get(a, compute);  // a is now the most recent; b goes when c comes
        cache.get(c, compute);
        QCOMPARE(computed, 3);
        QCOMPARE(cache.size(), size_t(2));
        cache.get(a, compute);
        QCOMPARE(computed, 3);
        cache.get(b, compute);
        QCOMPARE(computed, 4);
        // A failing computation caches nothing.
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 cache.get(ReprefillRequest{}, []() -> ReprefillAttention { throw std::runtime_error("x"); }));
        QCOMPARE(cache.size(), size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestAttentionRollout)
#include "test_attention_rollout.moc"
