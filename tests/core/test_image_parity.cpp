// Parity with HF transformers' CLIPImageProcessor (PIL bicubic resize) on real photos and synthetic
// images of many sizes; expected bytes come from tests/reference/image_reference.py.
#include "core/image/image_decoder.h"
#include "core/image/image_preprocessor.h"
#include "image_test_support.h"
#include "tests/common/requires_opencv.h"

#include <QTest>

#include <cmath>

using namespace vora;

Q_DECLARE_METATYPE(std::string)

namespace {

core::DecodedImage caseSource(const nlohmann::json& c)
{
    if (c.contains("synthetic")) {
        return test::syntheticImage(c["synthetic"][0].get<int>(), c["synthetic"][1].get<int>());
    }
    return core::decodeImageFile(test::imageDataPath(c["file"].get<std::string>()));
}

} // namespace

class TestImageParity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesClipImageProcessor_data()
    {
        QTest::addColumn<int>("index");
        const auto& cases = test::imageManifest()["cases"];
        for (size_t i = 0; i < cases.size(); ++i) {
            QTest::newRow(cases[i]["name"].get<std::string>().c_str()) << int(i);
        }
    }

    void matchesClipImageProcessor()
    {
        QFETCH(int, index);
        VORA_REQUIRE_OPENCV(); // the expected images are PNG files
        const nlohmann::json& c = test::imageManifest()["cases"][size_t(index)];
        const core::DecodedImage source = caseSource(c);
        QCOMPARE(source.width, c["width"].get<int>());
        QCOMPARE(source.height, c["height"].get<int>());
        if (c.contains("file")) {
            // The decoder must give PIL's convert("RGB") bytes (JPEG included: both use libjpeg-turbo).
            QCOMPARE(test::fnv1a64(source.rgb), c["source_rgb_fnv1a64"].get<std::string>());
        }

        const core::PreprocessedImage out = core::preprocessImage(source, core::PreprocessConfig{});
        QCOMPARE(out.channels, 3);
        QCOMPARE(out.height, 448);
        QCOMPARE(out.width, 448);
        QCOMPARE(out.geometry.tokenCount(), 1024);

        const core::DecodedImage expected = core::decodeImageFile(test::imageDataPath(c["expected"].get<std::string>()));
        QCOMPARE(expected.width, 448);
        const auto& mean = test::imageManifest()["mean"];
        const auto& stdev = test::imageManifest()["std"];
        const size_t plane = 448 * 448;
        double maxAbs = 0.0;
        int levelsOff = 0;
        for (int ch = 0; ch < 3; ++ch) {
            const double m = mean[ch].get<double>();
            const double s = stdev[ch].get<double>();
            for (size_t i = 0; i < plane; ++i) {
                const float got = out.pixels[ch * plane + i];
                const double want = (expected.rgb[3 * i + ch] / 255.0 - m) / s;
                maxAbs = std::max(maxAbs, std::fabs(got - want));
                const long gotLevel = std::lround((got * s + m) * 255.0);
                levelsOff = std::max(levelsOff, int(std::labs(gotLevel - expected.rgb[3 * i + ch])));
            }
        }
        qInfo("%s: max |ours - HF| = %.3g normalised units, max %d uint8 levels",
              c["name"].get<std::string>().c_str(), maxAbs, levelsOff);
        // One uint8 level is 1/255/std >= 0.0142 normalised units; 1e-5 leaves room for float rounding only.
        QVERIFY2(maxAbs <= 1e-5, qPrintable(QString::number(maxAbs)));
        QCOMPARE(levelsOff, 0);
    }
};

QTEST_GUILESS_MAIN(TestImageParity)
#include "test_image_parity.moc"
