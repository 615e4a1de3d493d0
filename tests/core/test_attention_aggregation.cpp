// Attention aggregations (core/attention/attention_aggregation.h) on hand-built tokens whose answers
// are worked out in the comments, and bad indices / missing detail refused.
#include "core/attention/attention_aggregation.h"
#include "core/error.h"

#include <QTest>

using namespace vora::core;

namespace {

// Two recorded layers, four heads (two KV groups of two), one image of 2x2 patches and one of 1x1.
// heads[l][h][0][p] = (l * 4 + h) * 0.01 + p * 0.001; image 1 holds 0.1 * (h + 1).
TokenAttention handToken()
{
    TokenAttention token;
    for (int l = 0; l < 2; ++l) {
        std::vector<ImageGrids> heads;
        ImageGrids layerMean{PatchGrid(4, 0.f), PatchGrid(1, 0.f)};
        for (int h = 0; h < 4; ++h) {
            PatchGrid grid;
            for (int p = 0; p < 4; ++p) {
                grid.push_back(static_cast<float>((l * 4 + h) * 0.01 + p * 0.001));
                layerMean[0][static_cast<size_t>(p)] += grid.back() / 4.f;
            }
            const float other = 0.1f * static_cast<float>(h + 1);
            layerMean[1][0] += other / 4.f;
            heads.push_back({grid, {other}});
        }
        token.heads.push_back(heads);
        token.layers.push_back(layerMean);
    }
    token.perImage = {{0.1f, 0.2f, 0.3f, 0.05f}, {0.25f}};
    return token;
}

void compareGrid(const PatchGrid& actual, const std::vector<double>& expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
        QVERIFY2(std::abs(actual[i] - expected[i]) < 1e-6, qPrintable(QStringLiteral("patch %1: %2 vs %3").arg(i).arg(actual[i]).arg(expected[i])));
    }
}

} // namespace

class TestAttentionAggregation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void layerRangeMean()
    {
        const TokenAttention token = handToken();
        // Layer l, head mean: (l * 4 + 1.5) * 0.01 + p * 0.001; over layers 0-1: 0.035 + p * 0.001.
        compareGrid(meanOverLayers(token, 0, 0, 1), {0.035, 0.036, 0.037, 0.038});
        compareGrid(meanOverLayers(token, 0, 1, 1), {0.055, 0.056, 0.057, 0.058});
        compareGrid(meanOverLayers(token, 1, 0, 1), {0.25});
    }

    void headMeanMaxAndKvGroups()
    {
        const TokenAttention token = handToken();
        compareGrid(reduceHeads(token, 1, 0, HeadReduction::Mean), {0.055, 0.056, 0.057, 0.058});
        compareGrid(reduceHeads(token, 1, 0, HeadReduction::Max), {0.07, 0.071, 0.072, 0.073}); // head 3
        compareGrid(reduceHeads(token, 0, 1, HeadReduction::Max), {0.4});
        // KV group 0 = heads 0, 1; group 1 = heads 2, 3 (layer 0): 0.005 / 0.025 + p * 0.001.
        const std::vector<PatchGrid> groups = meanPerKvGroup(token, 0, 0, 2);
        QCOMPARE(groups.size(), size_t(2));
        compareGrid(groups[0], {0.005, 0.006, 0.007, 0.008});
        compareGrid(groups[1], {0.025, 0.026, 0.027, 0.028});
        // One KV head for all: the head mean; four: the heads themselves.
        compareGrid(meanPerKvGroup(token, 0, 0, 1)[0], {0.015, 0.016, 0.017, 0.018});
        compareGrid(meanPerKvGroup(token, 0, 1, 4)[3], {0.4});
    }

    void sinksAreHeavyInEveryLayer()
    {
        // 8 patches, uniform share 1/8; factor 3 -> a sink holds > 3/8 of the image's mass in every layer.
        // Token-summed shares: layer 0: p0 .45, p5 .50, p7 .05; layer 1: p0 .103, p5 .515, p7 .381.
        // Patch 5 is heavy in both layers, 0 only in layer 0, 7 only in layer 1.
        auto grid = [](std::vector<float> v) { return v; };
        std::vector<TokenAttention> tokens(2);
        tokens[0].layers = {{grid({0.5f, 0, 0, 0, 0, 0.45f, 0, 0.05f})}, {grid({0.1f, 0, 0, 0, 0, 0.5f, 0, 0.36f})}};
        tokens[1].layers = {{grid({0.4f, 0, 0, 0, 0, 0.55f, 0, 0.05f})}, {grid({0.1f, 0, 0, 0, 0, 0.5f, 0, 0.38f})}};
        QCOMPARE(sinkPatches(tokens, 0, 3.0), std::vector<int>{5});
        QCOMPARE(sinkPatches(tokens, 0, 0.8), (std::vector<int>{0, 5})); // > 0.1 in both layers
        QVERIFY(sinkPatches(tokens, 0, 4.5).empty());                    // > 0.5625: none in layer 0
        compareGrid(hidePatches(tokens[0].layers[0][0], {5}), {0.5, 0, 0, 0, 0, 0, 0, 0.05});
        QVERIFY(sinkPatches({}, 0).empty());
    }

    void imageSharesSumEachGrid()
    {
        const TokenAttention token = handToken();
        const std::vector<float> shares = imageShares(token);
        QCOMPARE(shares.size(), size_t(2));
        QVERIFY(std::abs(shares[0] - 0.65f) < 1e-6f);
        QVERIFY(std::abs(shares[1] - 0.25f) < 1e-6f);
    }

    void badRequestsAreRefused()
    {
        const TokenAttention token = handToken();
        QVERIFY_THROWS_EXCEPTION(Error, meanOverLayers(token, 0, 0, 2));
        QVERIFY_THROWS_EXCEPTION(Error, meanOverLayers(token, 2, 0, 1));
        QVERIFY_THROWS_EXCEPTION(Error, meanPerKvGroup(token, 0, 0, 3));
        QVERIFY_THROWS_EXCEPTION(Error, hidePatches(PatchGrid(4), {4}));
        TokenAttention meanOnly;
        meanOnly.perImage = {{1.f}};
        QVERIFY_THROWS_EXCEPTION(Error, reduceHeads(meanOnly, 0, 0, HeadReduction::Mean));
        QVERIFY_THROWS_EXCEPTION(Error, meanOverLayers(meanOnly, 0, 0, 0));
    }
};

QTEST_GUILESS_MAIN(TestAttentionAggregation)
#include "test_attention_aggregation.moc"
