// Decoding against PIL's Image.open(f).convert("RGB") in many modes, EXIF orientation, and typed
// errors for bad input (expected bytes from tests/reference/image_reference.py).
#include "core/error.h"
#include "core/image/image_decoder.h"
#include "image_test_support.h"
#include "tests/common/requires_opencv.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <fstream>

using namespace vora;

namespace {

std::vector<uint8_t> readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

core::ErrorCode decodeError(const std::vector<uint8_t>& bytes, const core::DecodeLimits& limits = {})
{
    try {
        core::decodeImageBytes(bytes, limits, "test");
    } catch (const core::Error& e) {
        return e.code();
    }
    return core::ErrorCode::Internal; // nothing thrown: no test expects this
}

void putBe32(std::vector<uint8_t>& out, uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<uint8_t>(v >> shift));
    }
}

// Signature and IHDR only: enough for the header probe, nothing to decode.
std::vector<uint8_t> pngHeader(uint32_t width, uint32_t height)
{
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    putBe32(png, 13);
    png.insert(png.end(), {'I', 'H', 'D', 'R'});
    putBe32(png, width);
    putBe32(png, height);
    png.insert(png.end(), {8, 2, 0, 0, 0, 0, 0, 0, 0});
    return png;
}

int maxLevelDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b)
{
    int worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
    }
    return worst;
}

} // namespace

class TestImageDecoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesPilConvertRgb_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("tolerance");
        for (const auto& [name, value] : test::imageManifest()["decode"].items()) {
            // PIL and libjpeg convert CMYK to RGB with different roundings.
            const int tolerance = name == "cmyk.jpg" ? 1 : 0;
            QTest::newRow(name.c_str()) << QString::fromStdString(name) << tolerance;
        }
    }

    void matchesPilConvertRgb()
    {
        QFETCH(QString, file);
        QFETCH(int, tolerance);
        VORA_REQUIRE_OPENCV();
        const auto& want = test::imageManifest()["decode"][file.toStdString()];
        const core::DecodedImage image = core::decodeImageFile(test::imageDataPath("decode/" + file.toStdString()));
        QCOMPARE(image.width, want["width"].get<int>());
        QCOMPARE(image.height, want["height"].get<int>());
        const std::vector<uint8_t> expected = want["rgb"].get<std::vector<uint8_t>>();
        const int diff = maxLevelDifference(image.rgb, expected);
        if (diff > 0) {
            qInfo("%s: max %d levels from PIL", qPrintable(file), diff);
        }
        QVERIFY2(diff <= tolerance, qPrintable(QStringLiteral("%1 levels off").arg(diff)));
    }

    void appliesExifOrientation()
    {
        VORA_REQUIRE_OPENCV();
        const auto& exif = test::imageManifest()["exif"];
        const core::DecodedImage image = core::decodeImageFile(test::imageDataPath(exif["file"].get<std::string>()));
        QCOMPARE(image.width, exif["shown_width"].get<int>());
        QCOMPARE(image.height, exif["shown_height"].get<int>());
        QVERIFY(image.width != exif["stored_width"].get<int>());
        QCOMPARE(test::fnv1a64(image.rgb), exif["shown_rgb_fnv1a64"].get<std::string>());
    }

    void missingFile()
    {
        QVERIFY_THROWS_EXCEPTION(core::Error, core::decodeImageFile("/nonexistent/picture.png"));
        try {
            core::decodeImageFile("/nonexistent/picture.png");
        } catch (const core::Error& e) {
            QCOMPARE(e.code(), core::ErrorCode::FileNotFound);
            QVERIFY(std::string(e.what()).find("/nonexistent/picture.png") != std::string::npos);
        }
    }

    void badBytesGiveTypedErrors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        QTest::addColumn<bool>("pastTheHeader"); // found by the pixel decoder, not the header parser
        const auto corrupt = int(core::ErrorCode::CorruptFile);
        const auto unsupported = int(core::ErrorCode::UnsupportedFormat);
        const auto png = readBytes(test::imageDataPath("sources/astronaut_200.png"));
        const auto jpeg = readBytes(test::imageDataPath("sources/rocket.jpg"));
        auto bytes = [](const std::vector<uint8_t>& v, size_t n) {
            return QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(std::min(n, v.size())));
        };
        QTest::newRow("empty") << QByteArray() << corrupt << false;
        QTest::newRow("text") << QByteArray("hello, this is not an image") << unsupported << false;
        QTest::newRow("gif") << QByteArray("GIF89a\x01\x00\x01\x00", 10) << unsupported << false;
        QTest::newRow("png signature only") << bytes(png, 8) << corrupt << false;
        QTest::newRow("png truncated half") << bytes(png, png.size() / 2) << corrupt << true;
        QTest::newRow("png zero width") << bytes(pngHeader(0, 10), 100) << corrupt << false;
        auto damaged = png;
        const auto idat = std::search(damaged.begin(), damaged.end(), std::begin("IDAT"), std::end("IDAT") - 1);
        for (size_t i = size_t(idat - damaged.begin()) + 100; i < size_t(idat - damaged.begin()) + 500; ++i) {
            damaged[i] ^= 0x5A;
        }
        QTest::newRow("png damaged data") << bytes(damaged, damaged.size()) << corrupt << true;
        QTest::newRow("jpeg header only") << bytes(jpeg, 4) << corrupt << false;
        QTest::newRow("jpeg truncated") << bytes(jpeg, jpeg.size() * 2 / 3) << corrupt << true;
        QTest::newRow("jpeg without end marker") << bytes(jpeg, jpeg.size() - 2) << corrupt << true;
    }

    void badBytesGiveTypedErrors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        QFETCH(bool, pastTheHeader);
        if (pastTheHeader) {
            VORA_REQUIRE_OPENCV();
        }
        const std::vector<uint8_t> data(bytes.begin(), bytes.end());
        QCOMPARE(int(decodeError(data)), code);
    }

    void decompressionBombIsRefusedFromTheHeader()
    {
        // 100000 x 100000 RGB would need 30 GB; the header alone must stop it.
        QCOMPARE(decodeError(pngHeader(100000, 100000)), core::ErrorCode::InvalidArgument);
        core::DecodeLimits tight;
        tight.maxPixels = 200 * 200 - 1;
        const auto png = readBytes(test::imageDataPath("sources/astronaut_200.png"));
        QCOMPARE(decodeError(png, tight), core::ErrorCode::InvalidArgument);
        VORA_REQUIRE_OPENCV();
        tight.maxPixels = 200 * 200;
        QCOMPARE(core::decodeImageBytes(png, tight).width, 200);
    }

    void fileSizeLimit()
    {
        core::DecodeLimits tight;
        tight.maxFileBytes = 1000;
        try {
            core::decodeImageFile(test::imageDataPath("sources/astronaut_200.png"), tight);
            QFAIL("no error");
        } catch (const core::Error& e) {
            QCOMPARE(e.code(), core::ErrorCode::InvalidArgument);
        }
    }

    void emptyFileOnDisk()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("empty.png")).toStdString();
        std::ofstream(path).close();
        try {
            core::decodeImageFile(path);
            QFAIL("no error");
        } catch (const core::Error& e) {
            QCOMPARE(e.code(), core::ErrorCode::CorruptFile);
            QVERIFY(std::string(e.what()).find("empty.png") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestImageDecoder)
#include "test_image_decoder.moc"
