// Binary PPM/PGM: our decoder against PIL's Image.open(f).convert("RGB") (expected bytes from
// tests/reference/netpbm_reference.py), typed errors for hostile headers, the pixel limit read from
// the header, and a seeded mutation run that must only ever end in core::Error. Runs in every build
// (with and without OpenCV): netpbm never reaches the OpenCV backend.
#include "core/error.h"
#include "core/image/image_decoder.h"
#include "core/image/image_header.h"
#include "image_test_support.h"

#include <QTest>

#include <fstream>
#include <random>

using namespace vora;

namespace {

std::vector<uint8_t> readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const nlohmann::json& netpbmManifest()
{
    static const nlohmann::json manifest = [] {
        std::ifstream in(test::imageDataPath("netpbm/manifest.json"));
        return nlohmann::json::parse(in);
    }();
    return manifest;
}

std::vector<uint8_t> fromHex(const std::string& hex)
{
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

std::vector<uint8_t> bytesOf(const std::string& text) { return {text.begin(), text.end()}; }

// header + n bytes of raster
std::vector<uint8_t> withRaster(const std::string& header, size_t n)
{
    std::vector<uint8_t> bytes = bytesOf(header);
    for (size_t i = 0; i < n; ++i) {
        bytes.push_back(static_cast<uint8_t>(i * 37));
    }
    return bytes;
}

std::pair<core::ErrorCode, std::string> decodeError(const std::vector<uint8_t>& bytes,
                                                    const core::DecodeLimits& limits = {})
{
    try {
        core::decodeImageBytes(bytes, limits, "hostile.ppm");
    } catch (const core::Error& e) {
        return {e.code(), e.what()};
    }
    return {core::ErrorCode::Internal, "nothing thrown"}; // no case expects Internal
}

} // namespace

class TestNetpbmDecoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesPil_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto& [name, value] : netpbmManifest().items()) {
            QTest::newRow(name.c_str()) << QString::fromStdString(name);
        }
    }

    void matchesPil()
    {
        QFETCH(QString, file);
        const auto& want = netpbmManifest()[file.toStdString()];
        const core::DecodedImage image = core::decodeImageFile(test::imageDataPath("netpbm/" + file.toStdString()));
        QCOMPARE(image.width, want["width"].get<int>());
        QCOMPARE(image.height, want["height"].get<int>());
        QVERIFY(image.rgb == fromHex(want["rgb_hex"].get<std::string>())); // bit-identical to PIL
    }

    void everyReferenceFileIsCompared() { QCOMPARE(netpbmManifest().size(), size_t(8)); }

    void headerGivesFormatAndRasterOffset()
    {
        const auto bytes = readBytes(test::imageDataPath("netpbm/comments.ppm"));
        const core::ImageHeader header = core::probeImageHeader(bytes.data(), bytes.size(), "comments.ppm");
        QCOMPARE(header.format, core::ImageFormat::Ppm);
        QCOMPARE(header.width, int64_t(7));
        QCOMPARE(header.height, int64_t(5));
        QCOMPARE(header.rasterOffset, bytes.size() - 7 * 5 * 3);
    }

    void hostileHeadersGiveTypedErrors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("mentions");
        const int corrupt = int(core::ErrorCode::CorruptFile);
        const int unsupported = int(core::ErrorCode::UnsupportedFormat);
        const int limit = int(core::ErrorCode::InvalidArgument);
        auto row = [](const char* name, const std::vector<uint8_t>& b, int code, const char* mentions) {
            QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(b.data()), qsizetype(b.size())) << code
                                << QString(mentions);
        };
        row("magic only", bytesOf("P6"), unsupported, "not a PNG"); // no whitespace after the magic: not netpbm
        row("magic and newline", bytesOf("P6\n"), corrupt, "truncated PPM");
        row("width only", bytesOf("P6\n7"), corrupt, "truncated PPM");
        row("no byte after maxval", bytesOf("P6\n7 5\n255"), corrupt, "truncated PPM");
        row("negative width", withRaster("P6\n-7 5\n255\n", 105), corrupt, "width is not a decimal number");
        row("width glued to height", withRaster("P6\n7x5\n255\n", 105), corrupt, "not separated");
        row("ten digit width", withRaster("P6\n1234567890 5\n255\n", 105), corrupt, "more than 9 digits");
        row("leading zeros past nine digits", withRaster("P6\n0000000007 5\n255\n", 105), corrupt, "more than 9 digits");
        row("zero width", withRaster("P6\n0 5\n255\n", 0), corrupt, "zero image size");
        row("zero maxval", withRaster("P6\n7 5\n0\n", 105), corrupt, "outside 1..65535");
        row("maxval over 16 bits", withRaster("P6\n7 5\n70000\n", 105), corrupt, "outside 1..65535");
        row("sixteen-bit samples", withRaster("P6\n7 5\n65535\n", 210), unsupported, "only 255");
        row("maxval 15", withRaster("P6\n7 5\n15\n", 105), unsupported, "only 255");
        row("comment glued to maxval", withRaster("P6\n7 5\n255#c\n", 105), corrupt, "whitespace byte");
        row("comment never ends", bytesOf("P6 # no end of line"), corrupt, "truncated PPM");
        row("endless comment", bytesOf("P6 #" + std::string(5000, 'c') + "\n7 5\n255\n"), corrupt, "longer than 1024");
        row("endless whitespace", bytesOf("P6" + std::string(5000, ' ') + "7 5\n255\n"), corrupt, "longer than 1024");
        row("ascii ppm", bytesOf("P3\n1 1\n255\n1 2 3\n"), unsupported, "P3");
        row("bitmap", withRaster("P4\n8 1\n", 1), unsupported, "P4");
        row("pam", bytesOf("P7\nWIDTH 1\nHEIGHT 1\nDEPTH 3\nMAXVAL 255\nENDHDR\n\x01\x02\x03"), unsupported, "P7");
        row("truncated raster", withRaster("P6\n7 5\n255\n", 104), corrupt, "raster needs 105 bytes");
        row("truncated grey raster", withRaster("P5\n3 6\n255\n", 17), corrupt, "raster needs 18 bytes");
        row("empty raster", withRaster("P6\n7 5\n255\n", 0), corrupt, "truncated PPM");
        row("bomb from the header", bytesOf("P6\n99999 99999\n255\n"), limit, "decompression-bomb");
        row("bomb of nine digits", bytesOf("P5 999999999 999999999 255\n"), limit, "decompression-bomb");
    }

    void hostileHeadersGiveTypedErrors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        QFETCH(QString, mentions);
        const auto [got, message] = decodeError(std::vector<uint8_t>(bytes.begin(), bytes.end()));
        QVERIFY2(int(got) == code, message.c_str());
        QVERIFY2(QString::fromStdString(message).contains(mentions), message.c_str());
        QVERIFY2(message.rfind("hostile.ppm: ", 0) == 0, message.c_str()); // names the file first
    }

    void pixelLimitAppliesToNetpbm()
    {
        const auto bytes = readBytes(test::imageDataPath("netpbm/rgb_7x5.ppm"));
        core::DecodeLimits tight;
        tight.maxPixels = 7 * 5 - 1;
        QCOMPARE(decodeError(bytes, tight).first, core::ErrorCode::InvalidArgument);
        tight.maxPixels = 7 * 5;
        QCOMPARE(core::decodeImageBytes(bytes, tight).width, 7);
    }

    // Seeded mutations of valid files (byte flips in and after the header, truncations, inserted
    // bytes): every outcome is a consistent image or a core::Error; nothing else escapes.
    void mutatedFilesOnlyFailWithTypedErrors()
    {
        std::mt19937 rng(20261128);
        int decoded = 0;
        int refused = 0;
        for (const char* name : {"rgb_7x5.ppm", "comments.ppm", "crlf_tabs.pgm"}) {
            const auto original = readBytes(test::imageDataPath(std::string("netpbm/") + name));
            for (int round = 0; round < 1500; ++round) {
                std::vector<uint8_t> bytes = original;
                const int edits = 1 + int(rng() % 3);
                for (int e = 0; e < edits && !bytes.empty(); ++e) {
                    const size_t at = rng() % std::min<size_t>(bytes.size(), 48);
                    switch (rng() % 4) {
                    case 0: bytes[at] = static_cast<uint8_t>(rng()); break;
                    case 1: bytes[at] = "0123456789 \n#P56"[rng() % 16]; break;
                    case 2: bytes.resize(at); break;
                    default: bytes.insert(bytes.begin() + std::ptrdiff_t(at), static_cast<uint8_t>(rng())); break;
                    }
                }
                try {
                    const core::DecodedImage image = core::decodeImageBytes(bytes, {}, "mutated");
                    QCOMPARE(image.rgb.size(), size_t(image.width) * size_t(image.height) * 3);
                    ++decoded;
                } catch (const core::Error&) {
                    ++refused;
                }
            }
        }
        QCOMPARE(decoded + refused, 4500);
        QVERIFY(decoded > 0 && refused > 0);
    }
};

QTEST_GUILESS_MAIN(TestNetpbmDecoder)
#include "test_netpbm_decoder.moc"
