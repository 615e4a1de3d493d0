// Attention capture for the visualizer: per generated token, head-averaged attention over each
// image's patch grid, recorded through the explicit attention path without changing the output.
#include "core/attention/image_attention.h"
#include "core/error.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/attention_observer.h"
#include "core/model/vora_model.h"
#include "core/runtime/attention_recorder.h"
#include "core/runtime/vora_engine.h"
#include "tiny_model_writer.h"

#include <QTemporaryDir>
#include <algorithm>
#include <map>
#include <QTest>

#include <torch/torch.h>

using namespace vora::core;

namespace {

// Captures the explicit path's probabilities of the wanted layers (every layer when none is named) of one
// forward pass, independently of AttentionRecorder.
class ExplicitProbe : public AttentionObserver {
public:
    explicit ExplicitProbe(std::vector<int> layers)
        : m_layers(std::move(layers))
    {
    }
    bool wantsLayer(int layer) const override
    {
        return m_layers.empty() || std::find(m_layers.begin(), m_layers.end(), layer) != m_layers.end();
    }
    void onAttention(int layer, const at::Tensor& probabilities, int64_t) override { captured[layer] = probabilities.clone(); }
    std::map<int, at::Tensor> captured; // layer -> [B, H, L, L]

private:
    std::vector<int> m_layers;
};

ImagePixels stripes(int height, int width)
{
    ImagePixels image;
    image.height = height;
    image.width = width;
    image.chw.resize(size_t(3) * height * width);
    for (size_t i = 0; i < image.chw.size(); ++i) {
        image.chw[i] = static_cast<float>((i / 7) % 5) - 2.f;
    }
    return image;
}

} // namespace

class TestAttentionRecorder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString());
    }

    void captureEqualsSoftmaxEntries()
    {
        // 6 query heads on 2 KV heads (groups of 3), 40 keys, two spans: the capture's values are the
        // entries of softmax(q K^T / sqrt(d)) computed here with the keys repeated per head, with the
        // log-sum-exp given or computed inside; wrong LSE or head mapping would move them by >1e-2.
        at::manual_seed(7);
        const at::Tensor q = at::randn({6, 8});
        const at::Tensor keys = at::randn({2, 40, 8});
        const at::Tensor repeated = keys.repeat_interleave(3, 0); // head h reads KV head h / 3
        const at::Tensor full = at::softmax(at::bmm(q.unsqueeze(1), repeated.transpose(1, 2)).squeeze(1) / std::sqrt(8.0), -1);
        const at::Tensor expected = at::cat({full.narrow(1, 3, 10), full.narrow(1, 25, 6)}, 1);
        const std::vector<KeySpan> spans{{3, 10}, {25, 6}};
        const at::Tensor computed = imageAttentionProbabilities(q, keys, spans);
        QCOMPARE(computed.sizes().vec(), (std::vector<int64_t>{6, 16}));
        QVERIFY((computed - expected).abs().max().item<double>() < 1e-6);
        const at::Tensor lse = at::logsumexp(at::bmm(q.unsqueeze(1), repeated.transpose(1, 2)).squeeze(1) / std::sqrt(8.0), -1);
        QVERIFY((imageAttentionProbabilities(q, keys, spans, lse) - expected).abs().max().item<double>() < 1e-6);
        QVERIFY_THROWS_EXCEPTION(Error, imageAttentionProbabilities(q, keys, {{35, 6}}));
        QVERIFY_THROWS_EXCEPTION(Error, imageAttentionProbabilities(at::randn({5, 8}), keys, spans));
    }

    void rowsOfAForwardPassAreCapturedTogether()
    {
        // Three rows (a forward pass's layers), each with its own keys: the batched capture gives each row
        // what the one-row capture gives it, with the log-sum-exp given or computed inside; mismatched
        // shapes are refused.
        at::manual_seed(11);
        const at::Tensor queries = at::randn({3, 6, 8});
        const at::Tensor keys = at::randn({3, 2, 40, 8});
        const std::vector<KeySpan> spans{{3, 10}, {25, 6}};
        const at::Tensor logSumExp = at::randn({3, 6});
        for (const bool given : {false, true}) {
            const at::Tensor batched = imageAttentionProbabilitiesOfRows(queries, keys, spans, given ? logSumExp : at::Tensor());
            QCOMPARE(batched.sizes().vec(), (std::vector<int64_t>{3, 6, 16}));
            for (int64_t r = 0; r < 3; ++r) {
                const at::Tensor one = imageAttentionProbabilities(queries[r], keys[r], spans, given ? logSumExp[r] : at::Tensor());
                QVERIFY(at::equal(batched[r], one));
            }
        }
        QVERIFY_THROWS_EXCEPTION(Error, imageAttentionProbabilitiesOfRows(queries, keys.narrow(0, 0, 2), spans));
        QVERIFY_THROWS_EXCEPTION(Error, imageAttentionProbabilitiesOfRows(queries, keys, spans, at::randn({3, 5})));
        QCOMPARE(imageAttentionProbabilitiesOfRows(queries, keys, {}).sizes().vec(), (std::vector<int64_t>{3, 6, 0}));
    }

    void recordsOneGridPerImageForEveryToken()
    {
        const auto engine = VoraEngine::load(m_model);
        PromptInput prompt = engine->rawPrompt("<|im_start|>user\n<image>and<image>?<|im_end|>\n<|im_start|>assistant\n", {});
        prompt.images = {stripes(56, 56), stripes(28, 42)}; // 4x4 and 2x3 patches
        GenerationSettings greedy;
        greedy.sampling.temperature = 0;
        greedy.stop.maxNewTokens = 5;
        const TextResult plain = engine->generate(prompt, greedy);

        AttentionRecorder recorder;
        TextCallbacks callbacks;
        callbacks.attention = &recorder;
        const TextResult observed = engine->generate(prompt, greedy, callbacks);
        QCOMPARE(observed.tokenIds, plain.tokenIds); // watching does not change the answer

        QCOMPARE(recorder.images().size(), size_t(2));
        QCOMPARE(recorder.images()[0].gridHeight, 4);
        QCOMPARE(recorder.images()[1].gridWidth, 3);
        const std::vector<TokenAttention> tokens = recorder.tokens();
        QCOMPARE(tokens.size(), observed.tokenIds.size());
        for (const TokenAttention& token : tokens) {
            QCOMPARE(token.perImage.size(), size_t(2));
            QCOMPARE(token.perImage[0].size(), size_t(16));
            QCOMPARE(token.perImage[1].size(), size_t(6));
            double mass = 0;
            for (const auto& grid : token.perImage) {
                for (float w : grid) {
                    QVERIFY(w >= 0.f);
                    mass += w;
                }
            }
            QVERIFY(std::abs(mass - token.imageShare) < 1e-5);
            QVERIFY(token.imageShare > 0.f && token.imageShare <= 1.f + 1e-5f);
        }
        for (size_t i = 1; i < tokens.size(); ++i) {
            QCOMPARE(tokens[i].queryPosition, tokens[i - 1].queryPosition + 1);
        }
    }

    void firstTokenMatchesLayerProbabilities()
    {
        // With only layer 0 recorded, the first token's grid is layer 0's head-averaged attention
        // row of the last prompt position, cut at the image's positions.
        const auto model = VoraModel::load(m_model);
        const FirstToken first = firstToken(*model, {0}, AttentionDetail::Mean);
        const at::Tensor row = first.explicitProbabilities.at(0)[0].select(1, first.last).mean(0);
        const std::vector<TokenAttention>& tokens = first.recorded;
        QCOMPARE(tokens.size(), size_t(1));
        QCOMPARE(tokens[0].queryPosition, first.last);
        for (int p = 0; p < 16; ++p) {
            QVERIFY(std::abs(tokens[0].perImage[0][static_cast<size_t>(p)] - row[first.imageStart + p].item<float>())
                    < 1e-5f);
        }
    }

    void everyLayerAndHeadMatchesTheExplicitPath()
    {
        // All layers at detail Heads, through the fused path whose rows are computed together at the end of
        // each forward pass: the first token's grid of every layer and head equals that layer's explicit
        // attention row at the last prompt position; and the fused path's rows only appear when a pass
        // ends (an observer that never hears onForwardEnd gets nothing).
        const auto model = VoraModel::load(m_model);
        const FirstToken first = firstToken(*model, {}, AttentionDetail::Heads);
        const int64_t last = first.last;
        const int64_t imageStart = first.imageStart;
        const std::vector<TokenAttention>& tokens = first.recorded;
        QCOMPARE(tokens.size(), size_t(1));
        QCOMPARE(tokens[0].queryPosition, last);
        const auto layers = static_cast<size_t>(model->config().numLayers);
        const auto heads = static_cast<size_t>(model->config().numHeads);
        QCOMPARE(tokens[0].heads.size(), layers);
        QCOMPARE(first.explicitProbabilities.size(), layers);
        int compared = 0;
        for (size_t l = 0; l < layers; ++l) {
            QCOMPARE(tokens[0].heads[l].size(), heads);
            for (size_t h = 0; h < heads; ++h) {
                const at::Tensor row = first.explicitProbabilities.at(static_cast<int>(l))[0][static_cast<int64_t>(h)][last];
                for (int p = 0; p < 16; ++p) {
                    QVERIFY(std::abs(tokens[0].heads[l][h][0][static_cast<size_t>(p)] - row[imageStart + p].item<float>())
                            < 1e-5f);
                    ++compared;
                }
            }
        }
        QCOMPARE(compared, static_cast<int>(layers * heads * 16));

        // A pass whose rows were handed over but which never ended (a later layer threw) leaves nothing: not
        // at reading, not when the next pass (the next position) ends.
        AttentionRecorder unfinished({}, AttentionDetail::Heads);
        unfinished.begin({{imageStart, 4, 4}}, first.length);
        const ModelConfig& c = model->config();
        const at::Tensor keys = at::randn({c.numKeyValueHeads, first.length + 1, c.headDim});
        AttentionObserver& observer = *unfinished.observer();
        observer.onQueryRow(0, at::randn({c.numHeads, c.headDim}), keys.narrow(1, 0, last + 1), at::Tensor(), last);
        QVERIFY(unfinished.tokens().empty());
        observer.onQueryRow(0, at::randn({c.numHeads, c.headDim}), keys, at::Tensor(), last + 1);
        observer.onForwardEnd();
        const std::vector<TokenAttention> next = unfinished.tokens();
        QCOMPARE(next.size(), size_t(1));
        QCOMPARE(next[0].queryPosition, last + 1);
    }

private:
    // One image prompt's first token, both ways: the explicit path's probabilities of `layers` (every layer
    // when empty) over the whole prompt, and what a recorder of those layers at `detail` keeps for the
    // generated token (the fused path).
    struct FirstToken {
        std::map<int, at::Tensor> explicitProbabilities; // layer -> [B, H, L, L]
        std::vector<TokenAttention> recorded;
        int64_t last = 0;       // the last prompt position, whose row predicts the token
        int64_t imageStart = 0; // the image's first position
        int64_t length = 0;     // prompt positions
    };
    FirstToken firstToken(const VoraModel& model, std::vector<int> layers, AttentionDetail detail) const
    {
        const auto engine = VoraEngine::load(m_model);
        PromptInput prompt = engine->rawPrompt("<|im_start|>user\n<image>Hi<|im_end|>\n<|im_start|>assistant\n", {});
        prompt.images = {stripes(56, 56)}; // 4x4 patches
        const AssembledSequence sequence = assembleSequence(model, prompt);
        ExplicitProbe probe(layers);
        promptLogits(model, sequence, AttentionImpl::Explicit, &probe);
        FirstToken out;
        out.explicitProbabilities = std::move(probe.captured);
        out.length = sequence.length();
        out.last = out.length - 1;
        while (!sequence.isImage[static_cast<size_t>(out.imageStart)]) {
            ++out.imageStart;
        }
        AttentionRecorder recorder(std::move(layers), detail);
        TextCallbacks callbacks;
        callbacks.attention = &recorder;
        GenerationSettings greedy;
        greedy.sampling.temperature = 0;
        greedy.stop.maxNewTokens = 1;
        engine->generate(prompt, greedy, callbacks);
        out.recorded = recorder.tokens();
        return out;
    }

    QTemporaryDir m_dir;
    std::string m_model;
};

QTEST_GUILESS_MAIN(TestAttentionRecorder)
#include "test_attention_recorder.moc"
