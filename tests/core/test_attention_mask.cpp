// The VoRA attention mask against matrices written out by hand.
#include "core/generation/attention_mask.h"

#include <QTest>

#include <torch/torch.h>

using namespace vora::core;

namespace {

at::Tensor matrix(const std::vector<std::vector<int>>& rows)
{
    std::vector<uint8_t> flat;
    for (const auto& row : rows) {
        flat.insert(flat.end(), row.begin(), row.end());
    }
    return at::tensor(flat, at::TensorOptions().dtype(at::kByte))
        .reshape({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows.front().size())})
        .to(at::kBool);
}

} // namespace

class TestAttentionMask : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void imageRunsAreBidirectional()
    {
        // text, image, image, text, image, text
        const at::Tensor got = allowedMatrix({0, 1, 1, 0, 1, 0}, 0, VisionAttentionMask::Bidirectional);
        const at::Tensor expected = matrix({{1, 0, 0, 0, 0, 0},
                                            {1, 1, 1, 0, 0, 0},
                                            {1, 1, 1, 0, 0, 0},
                                            {1, 1, 1, 1, 0, 0},
                                            {1, 1, 1, 1, 1, 0},
                                            {1, 1, 1, 1, 1, 1}});
        QVERIFY(at::equal(got, expected));
    }

    void adjacentImagesFormOneBlock()
    {
        const at::Tensor got = allowedMatrix({1, 1, 1, 1}, 0, VisionAttentionMask::Bidirectional);
        QVERIFY(got.all().item<bool>());
    }

    void defaultModeIsCausal()
    {
        const at::Tensor got = allowedMatrix({0, 1, 1, 0}, 0, VisionAttentionMask::Causal);
        QVERIFY(at::equal(got, at::ones({4, 4}, at::kBool).tril()));
    }

    void chunkAfterACachedPrefix()
    {
        // Two cached positions, then a chunk of text + image + text.
        const at::Tensor got = allowedMatrix({0, 0, 0, 1, 1, 0}, 2, VisionAttentionMask::Bidirectional);
        const at::Tensor expected = matrix({{1, 1, 1, 0, 0, 0},
                                            {1, 1, 1, 1, 1, 0},
                                            {1, 1, 1, 1, 1, 0},
                                            {1, 1, 1, 1, 1, 1}});
        QVERIFY(at::equal(got, expected));
    }

    void textOnlyUsesTheCausalKernel()
    {
        const AttentionMaskSpec spec = buildAttentionMask({0, 0, 0}, 0, VisionAttentionMask::Bidirectional, c10::Device(c10::kCPU));
        QVERIFY(!spec.mask.defined());
        QVERIFY(spec.causal);
        const AttentionMaskSpec image = buildAttentionMask({0, 1, 1}, 0, VisionAttentionMask::Bidirectional, c10::Device(c10::kCPU));
        QVERIFY(image.mask.defined());
        QCOMPARE(image.mask.sizes().vec(), (std::vector<int64_t>{1, 1, 3, 3}));
    }
};

QTEST_GUILESS_MAIN(TestAttentionMask)
#include "test_attention_mask.moc"
