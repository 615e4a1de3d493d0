// Geometry (padding, patch rectangles), native-resolution sizes, normalisation and config parsing.
#include "core/error.h"
#include "core/image/image_preprocessor.h"
#include "core/image/pil_resample.h"
#include "image_test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <functional>

using namespace vora;
using core::PreprocessConfig;

namespace {

bool throwsInvalidArgument(const std::function<void()>& action)
{
    try {
        action();
    } catch (const core::Error& error) {
        return error.code() == core::ErrorCode::InvalidArgument;
    }
    return false;
}

core::DecodedImage solid(int width, int height, uint8_t r, uint8_t g, uint8_t b)
{
    core::DecodedImage image{width, height, {}};
    for (int i = 0; i < width * height; ++i) {
        image.rgb.insert(image.rgb.end(), {r, g, b});
    }
    return image;
}

void writeFile(const QTemporaryDir& dir, const char* name, const std::string& text)
{
    std::ofstream(dir.filePath(QString::fromUtf8(name)).toStdString()) << text;
}

core::ErrorCode configError(const QTemporaryDir& dir)
{
    try {
        PreprocessConfig::fromModelDir(dir.path().toStdString());
    } catch (const core::Error& e) {
        return e.code();
    }
    return core::ErrorCode::Internal;
}

} // namespace

class TestImagePreprocessor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void paddingCentresTheImage_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("side");
        QTest::addColumn<int>("left");
        QTest::addColumn<int>("top");
        QTest::newRow("wide odd") << 2000 << 51 << 2000 << 0 << 974;
        QTest::newRow("tall") << 50 << 2000 << 2000 << 975 << 0;
        QTest::newRow("square") << 448 << 448 << 448 << 0 << 0;
        QTest::newRow("13x7") << 13 << 7 << 13 << 0 << 3;
        QTest::newRow("1x1") << 1 << 1 << 1 << 0 << 0;
    }

    void paddingCentresTheImage()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, side);
        QFETCH(int, left);
        QFETCH(int, top);
        const core::ImageGeometry g = core::computeImageGeometry(width, height, PreprocessConfig{});
        QCOMPARE(g.paddedSide, side);
        QCOMPARE(g.padLeft, left);
        QCOMPARE(g.padTop, top);
    }

    void paddingOffsets()
    {
        const core::ImageGeometry g = core::computeImageGeometry(2000, 51, PreprocessConfig{});
        QCOMPARE(g.paddedSide, 2000);
        QCOMPARE(g.padLeft, 0);
        QCOMPARE(g.padTop, (2000 - 51) / 2);
        QCOMPARE(g.resizedWidth, 448);
        QCOMPARE(g.gridWidth, 32);
        QCOMPARE(g.gridHeight, 32);
        QCOMPARE(g.tokenCount(), 1024);
        QCOMPARE(g.scale, 448.0 / 2000.0);
        const core::ImageGeometry t = core::computeImageGeometry(50, 2000, PreprocessConfig{});
        QCOMPARE(t.padLeft, 975);
        QCOMPARE(t.padTop, 0);
    }

    void patchRectsOnAWideImage()
    {
        // 1000x500 pads to 1000x1000 with 250 rows above; a patch covers 1000/32 = 31.25 px.
        const core::ImageGeometry g = core::computeImageGeometry(1000, 500, PreprocessConfig{});
        QCOMPARE(g.padTop, 250);
        const auto onPadding = g.patchRectInOriginal(0, 5);
        QCOMPARE(onPadding.width, 0.0);
        QCOMPARE(onPadding.height, 0.0);
        QCOMPARE(g.patchRectInOriginal(31, 0).height, 0.0);
        const auto first = g.patchRectInOriginal(8, 0); // rows 250..281.25 of the canvas
        QCOMPARE(first.x, 0.0);
        QCOMPARE(first.y, 0.0);
        QCOMPARE(first.width, 31.25);
        QCOMPARE(first.height, 31.25);
        const auto straddling = g.patchRectInOriginal(7, 31); // canvas rows 218.75..250: all padding
        QCOMPARE(straddling.height, 0.0);
        const auto last = g.patchRectInOriginal(23, 31);
        QCOMPARE(last.x + last.width, 1000.0);
        QCOMPARE(last.y + last.height, 500.0);
    }

    void patchRectsOnATallImageClipToTheImage()
    {
        // 300x1000: padLeft 350; column 11 spans canvas x 343.75..375 -> image x 0..25.
        const core::ImageGeometry g = core::computeImageGeometry(300, 1000, PreprocessConfig{});
        QCOMPARE(g.padLeft, 350);
        const auto r = g.patchRectInOriginal(0, 11);
        QCOMPARE(r.x, 0.0);
        QCOMPARE(r.width, 25.0);
        QCOMPARE(r.height, 31.25);
        QCOMPARE(g.patchRectInOriginal(0, 10).width, 0.0);
        QVERIFY_THROWS_EXCEPTION(core::Error, g.patchRectInOriginal(32, 0));
        QVERIFY_THROWS_EXCEPTION(core::Error, g.patchRectInOriginal(0, -1));
    }

    // Every case of tests/data/image/smart_resize.json (tests/reference/smart_resize_reference.py, HF
    // transformers' smart_resize with factor 14): the same size, or a refusal where it refuses.
    void nativeSizesMatchSmartResize()
    {
        std::ifstream in(test::imageDataPath("smart_resize.json"));
        const nlohmann::json fixture = nlohmann::json::parse(in);
        QCOMPARE(fixture.at("factor").get<int>(), 14);
        int resized = 0;
        int refused = 0;
        for (const nlohmann::json& c : fixture.at("cases")) {
            PreprocessConfig config;
            config.mode = PreprocessConfig::Mode::NativeResolution;
            config.minPixels = c.at("min_pixels").get<int64_t>();
            config.maxPixels = c.at("max_pixels").get<int64_t>();
            const int width = c.at("width").get<int>();
            const int height = c.at("height").get<int>();
            const std::string label = c.dump();
            if (c.contains("error")) {
                QVERIFY2(throwsInvalidArgument([&] { core::computeImageGeometry(width, height, config); }), label.c_str());
                ++refused;
                continue;
            }
            const core::ImageGeometry g = core::computeImageGeometry(width, height, config);
            QVERIFY2(g.resizedHeight == c.at("resized")[0].get<int>() && g.resizedWidth == c.at("resized")[1].get<int>(),
                     (label + " gave " + std::to_string(g.resizedHeight) + "x" + std::to_string(g.resizedWidth)).c_str());
            QCOMPARE(g.paddedSide, 0);
            QCOMPARE(g.gridWidth, g.resizedWidth / 14);
            QCOMPARE(g.gridHeight, g.resizedHeight / 14);
            ++resized;
        }
        QCOMPARE(resized + refused, 870);
        QVERIFY(resized > 500 && refused > 200);
    }

    void nativeDefaultsAreTheReferences()
    {
        PreprocessConfig c;
        c.mode = PreprocessConfig::Mode::NativeResolution;
        QCOMPARE(c.minPixels, int64_t(56 * 56));
        QCOMPARE(c.maxPixels, int64_t(14 * 14 * 50 * 80));
        const core::ImageGeometry big = core::computeImageGeometry(4000, 3000, c);
        QCOMPARE(big.resizedWidth, 1022);
        QCOMPARE(big.resizedHeight, 756);
        // 35 / 14 = 2.5 rounds to even: 28, where rounding half up would give 42.
        const core::ImageGeometry tie = core::computeImageGeometry(35, 490, c);
        QCOMPARE(tie.resizedWidth, 28);
        QCOMPARE(tie.resizedHeight, 490);
    }

    void nativeModeProducesItsSize()
    {
        PreprocessConfig c;
        c.mode = PreprocessConfig::Mode::NativeResolution;
        const core::PreprocessedImage out = core::preprocessImage(test::syntheticImage(640, 480), c);
        QCOMPARE(out.width, 644);
        QCOMPARE(out.height, 476);
        QCOMPARE(out.pixels.size(), size_t(3 * 644 * 476));
        const auto r = out.geometry.patchRectInOriginal(0, 0);
        QCOMPARE(r.width, 14.0 * 640 / 644);
    }

    void normalisesPerChannelInChwOrder()
    {
        const core::PreprocessedImage out = core::preprocessImage(solid(30, 30, 255, 0, 128), PreprocessConfig{});
        const PreprocessConfig c;
        const size_t plane = 448 * 448;
        QCOMPARE(out.pixels[0], (1.0f - c.mean[0]) / c.std[0]);
        QCOMPARE(out.pixels[plane + 1000], (0.0f - c.mean[1]) / c.std[1]);
        QCOMPARE(out.pixels[2 * plane + 5], (static_cast<float>(128 / 255.0) - c.mean[2]) / c.std[2]);
    }

    void paddingIsBlackAfterNormalisation()
    {
        const core::PreprocessedImage out = core::preprocessImage(solid(200, 20, 255, 255, 255), PreprocessConfig{});
        const PreprocessConfig c;
        QCOMPARE(out.pixels[0], -c.mean[0] / c.std[0]);                   // top-left: padding
        QCOMPARE(out.pixels[224 * 448 + 224], (1.0f - c.mean[0]) / c.std[0]); // centre: the image
    }

    void resampleToTheSameSizeIsTheIdentity()
    {
        const core::DecodedImage image = test::syntheticImage(37, 23);
        QCOMPARE(core::resampleBicubicLikePil(image, 37, 23, 0, 0, 37, 23), image.rgb);
    }

    void rejectsBadInput()
    {
        QVERIFY_THROWS_EXCEPTION(core::Error, core::preprocessImage(core::DecodedImage{}, PreprocessConfig{}));
        core::DecodedImage wrongSize{4, 4, std::vector<uint8_t>(10)};
        QVERIFY_THROWS_EXCEPTION(core::Error, core::preprocessImage(wrongSize, PreprocessConfig{}));
        PreprocessConfig notMultiple;
        notMultiple.imageSize = 450;
        QVERIFY_THROWS_EXCEPTION(core::Error, core::preprocessImage(solid(4, 4, 0, 0, 0), notMultiple));
    }

    void configFromModelDir()
    {
        QTemporaryDir dir;
        QCOMPARE(PreprocessConfig::fromModelDir(dir.path().toStdString()).imageSize, 448); // nothing there
        writeFile(dir, "config.json", R"({"model_type": "vora", "image_size": 224, "patch_size": 16})");
        writeFile(dir, "preprocessor_config.json",
                  R"({"image_mean": [0.5, 0.5, 0.5], "image_std": [0.25, 0.5, 1.0], "rescale_factor": 0.5,
                      "size": {"shortest_edge": 336}, "min_pixels": 1000, "max_pixels": 200000})");
        const PreprocessConfig c = PreprocessConfig::fromModelDir(dir.path().toStdString());
        QCOMPARE(c.imageSize, 336);
        QCOMPARE(c.patchSize, 16);
        QCOMPARE(c.mean[1], 0.5f);
        QCOMPARE(c.std[0], 0.25f);
        QCOMPARE(c.rescaleFactor, 0.5);
        QCOMPARE(c.minPixels, int64_t(1000));
        QCOMPARE(c.maxPixels, int64_t(200000));
    }

    void configErrors()
    {
        QTemporaryDir dir;
        writeFile(dir, "preprocessor_config.json", "{\"image_mean\": [0.5, 0.5,");
        QCOMPARE(configError(dir), core::ErrorCode::InvalidConfig);
        writeFile(dir, "preprocessor_config.json", R"({"image_mean": [0.5, 0.5]})");
        QCOMPARE(configError(dir), core::ErrorCode::InvalidConfig);
        writeFile(dir, "preprocessor_config.json", R"({"image_std": "wide"})");
        QCOMPARE(configError(dir), core::ErrorCode::InvalidConfig);
        writeFile(dir, "preprocessor_config.json", R"({"size": {"height": 448, "width": 300}})");
        QCOMPARE(configError(dir), core::ErrorCode::InvalidConfig);
        writeFile(dir, "preprocessor_config.json", R"({"size": {"shortest_edge": 450}})");
        QCOMPARE(configError(dir), core::ErrorCode::InvalidConfig);
        writeFile(dir, "preprocessor_config.json", R"({"image_mean": [1e400, 0.5, 0.5]})"); // out_of_range while parsing
        QCOMPARE(configError(dir), core::ErrorCode::InvalidConfig);
        QVERIFY_THROWS_EXCEPTION(core::Error, PreprocessConfig::fromModelDir("/nonexistent/model"));
    }
};

QTEST_GUILESS_MAIN(TestImagePreprocessor)
#include "test_image_preprocessor.moc"
