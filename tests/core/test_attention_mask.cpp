// The VoRA attention mask against matrices written out by hand.
#include "core/error.h"
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

    void segmentsOfTextAndImages()
    {
        // Text only: one causal segment, the kernel SDPA runs without any mask.
        AttentionMaskSpec spec = buildAttentionMask({0, 0, 0}, 0, VisionAttentionMask::Bidirectional);
        QVERIFY(!spec.mask.defined());
        QVERIFY((spec.segments == std::vector<AttentionSegment>{{0, 3, 3, true}}));
        // Two cached positions, then text, an image block, text: the image rows see keys up to its end.
        spec = buildAttentionMask({0, 0, 0, 1, 1, 0}, 2, VisionAttentionMask::Bidirectional);
        QVERIFY(!spec.mask.defined());
        QVERIFY((spec.segments == std::vector<AttentionSegment>{{0, 1, 3, true}, {1, 2, 5, false}, {3, 1, 6, true}}));
        // Plain causal mode ignores the images.
        spec = buildAttentionMask({0, 1, 1, 0}, 0, VisionAttentionMask::Causal);
        QVERIFY((spec.segments == std::vector<AttentionSegment>{{0, 4, 4, true}}));
    }

    void segmentsEqualTheDenseMask()
    {
        // Every pattern of 8 flags, every chunk start that does not cut an image run, both modes: the
        // segments describe exactly the matrix allowedMatrix writes out.
        int compared = 0;
        for (int bits = 0; bits < 256; ++bits) {
            std::vector<uint8_t> flags(8);
            for (int i = 0; i < 8; ++i) {
                flags[static_cast<size_t>(i)] = static_cast<uint8_t>((bits >> i) & 1);
            }
            for (int64_t past = 0; past < 8; ++past) {
                if (past > 0 && flags[static_cast<size_t>(past)] && flags[static_cast<size_t>(past - 1)]) {
                    continue;
                }
                for (auto mode : {VisionAttentionMask::Bidirectional, VisionAttentionMask::Causal}) {
                    const AttentionMaskSpec spec = buildAttentionMask(flags, past, mode);
                    const at::Tensor got = allowedMatrixOf(spec, 8 - past, 8, c10::Device(c10::kCPU));
                    QVERIFY2(at::equal(got, allowedMatrix(flags, past, mode)), qPrintable(QString::number(bits)));
                    ++compared;
                }
            }
        }
        QCOMPARE(compared, 2 * 1600);
    }

    void chunkMustNotCutAnImage()
    {
        bool threw = false;
        try {
            buildAttentionMask({0, 1, 1, 0}, 2, VisionAttentionMask::Bidirectional);
        } catch (const Error&) {
            threw = true;
        }
        QVERIFY(threw);
    }
};

QTEST_GUILESS_MAIN(TestAttentionMask)
#include "test_attention_mask.moc"
