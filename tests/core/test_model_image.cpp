// "An image the model will see" (core/image/model_image.h): a pixel file written like `vora preprocess`
// writes it (the input of machines without OpenCV) loads bit for bit and is checked; an image file is
// decoded and preprocessed, or, in a build without OpenCV, refused with a message that points to
// `vora preprocess`. Runs in both builds.
#include "core/error.h"
#include "core/image/image_decoder.h"
#include "core/image/model_image.h"
#include "core/safetensors/safetensors_writer.h"
#include "image_test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <random>

using namespace vora;

namespace {

std::string writePixelFile(const QTemporaryDir& dir, const std::string& name, const std::string& tensorName,
                           const std::string& dtype, const std::vector<int64_t>& shape, const std::vector<float>& values)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    core::writeSafetensors(path, {{tensorName, dtype, shape,
                                   {reinterpret_cast<const std::byte*>(values.data()), values.size() * sizeof(float)}}});
    return path;
}

std::vector<float> randomValues(size_t count)
{
    std::mt19937 random(7);
    std::normal_distribution<float> normal;
    std::vector<float> values(count);
    for (float& v : values) {
        v = normal(random);
    }
    return values;
}

std::string errorOf(const std::function<void()>& action, core::ErrorCode* code = nullptr)
{
    try {
        action();
    } catch (const core::Error& error) {
        if (code) {
            *code = error.code();
        }
        return error.what();
    }
    return {};
}

} // namespace

class TestModelImage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pixelFileLoadsBitForBit()
    {
        QTemporaryDir dir;
        const std::vector<float> values = randomValues(3 * 28 * 42);
        const std::string path = writePixelFile(dir, "p.safetensors", "pixel_values", "F32", {1, 3, 28, 42}, values);
        QVERIFY(core::isPixelFile(path));
        core::PreprocessConfig config; // patch 14
        const core::PreprocessedImage image = core::loadModelImage(path, config);
        QCOMPARE(image.height, 28);
        QCOMPARE(image.width, 42);
        QCOMPARE(image.pixels.size(), values.size());
        QVERIFY(std::memcmp(image.pixels.data(), values.data(), values.size() * sizeof(float)) == 0);
        QCOMPARE(image.geometry.gridHeight, 2);
        QCOMPARE(image.geometry.gridWidth, 3);
        QCOMPARE(image.geometry.tokenCount(), 6);
        QCOMPARE(image.geometry.paddedSide, 0);
        const core::ImageGeometry::Rect last = image.geometry.patchRectInOriginal(1, 2); // in the pixel grid itself
        QCOMPARE(last.x, 28.0);
        QCOMPARE(last.y, 14.0);
        QCOMPARE(last.width, 14.0);
        QCOMPARE(last.height, 14.0);
    }

    void badPixelFilesNameTheFile_data()
    {
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<QList<qint64>>("shape");
        QTest::addColumn<QString>("problem");
        QTest::newRow("no pixel_values") << "pixels" << "F32" << QList<qint64>{1, 3, 14, 14} << "no \"pixel_values\"";
        QTest::newRow("not float32") << "pixel_values" << "I32" << QList<qint64>{1, 3, 14, 14} << "must be F32 [1, 3, H, W]";
        QTest::newRow("three dimensions") << "pixel_values" << "F32" << QList<qint64>{3, 14, 14} << "must be F32 [1, 3, H, W]";
        QTest::newRow("four channels") << "pixel_values" << "F32" << QList<qint64>{1, 4, 14, 14} << "must be F32 [1, 3, H, W]";
        QTest::newRow("batch of two") << "pixel_values" << "F32" << QList<qint64>{2, 3, 14, 14} << "must be F32 [1, 3, H, W]";
        QTest::newRow("not a patch multiple") << "pixel_values" << "F32" << QList<qint64>{1, 3, 15, 14} << "not a multiple of the 14-pixel patch";
    }

    void badPixelFilesNameTheFile()
    {
        QFETCH(QString, tensor);
        QFETCH(QString, dtype);
        QFETCH(QList<qint64>, shape);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        const std::vector<int64_t> dims(shape.begin(), shape.end());
        size_t count = 1;
        for (const int64_t d : dims) {
            count *= static_cast<size_t>(d);
        }
        const std::string path = writePixelFile(dir, "bad.safetensors", tensor.toStdString(), dtype.toStdString(), dims,
                                                std::vector<float>(count, 0.5f));
        const std::string message = errorOf([&] { core::loadModelImage(path, core::PreprocessConfig{}); });
        QVERIFY2(message.rfind(path + ": ", 0) == 0, message.c_str());
        QVERIFY2(message.find(problem.toStdString()) != std::string::npos, message.c_str());
    }

    // An image file goes through decoding and preprocessing, or, without OpenCV, is refused clearly.
    void imageFileDecodesOrPointsToPreprocess()
    {
        const std::string png = test::imageDataPath("decode/rgba.png");
        core::PreprocessConfig config;
        config.imageSize = 56;
#ifdef VORA_HAVE_OPENCV
        const core::PreprocessedImage loaded = core::loadModelImage(png, config);
        const core::PreprocessedImage direct = core::preprocessImage(core::decodeImageFile(png), config);
        QCOMPARE(loaded.height, 56);
        QCOMPARE(loaded.pixels.size(), direct.pixels.size());
        QVERIFY(std::memcmp(loaded.pixels.data(), direct.pixels.data(), direct.pixels.size() * sizeof(float)) == 0);
#else
        core::ErrorCode code{};
        const std::string message = errorOf([&] { core::loadModelImage(png, config); }, &code);
        QCOMPARE(int(code), int(core::ErrorCode::UnsupportedFormat));
        QVERIFY2(message.find(png) != std::string::npos && message.find("vora preprocess") != std::string::npos, message.c_str());
#endif
    }
};

QTEST_GUILESS_MAIN(TestModelImage)
#include "test_model_image.moc"
