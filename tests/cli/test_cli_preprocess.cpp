// `vora preprocess`: runs the real binary and checks the safetensors and JSON it writes against
// the HF-derived fixture of tests/data/image.
#include "cli_runner.h"
#include "tests/common/requires_opencv.h"

#include "core/image/image_decoder.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>

namespace {

QString dataPath(const char* relative)
{
    return QStringLiteral(VORA_TEST_DATA_DIR "/image/") + QString::fromUtf8(relative);
}

struct Safetensors {
    QJsonObject header;
    QByteArray data;
};

Safetensors readSafetensors(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray all = file.readAll();
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) {
        length = (length << 8) | static_cast<uint8_t>(all[i]);
    }
    Safetensors out;
    out.header = QJsonDocument::fromJson(all.mid(8, qsizetype(length))).object();
    out.data = all.mid(8 + qsizetype(length));
    return out;
}

} // namespace

class TestCliPreprocess : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { VORA_SUITE_REQUIRES_OPENCV(); } // `vora preprocess` decodes image files
    void writesPixelValuesAndGeometry()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("pixels.safetensors"));
        const CliResult r = runVora({QStringLiteral("preprocess"), QStringLiteral("--image"),
                                     dataPath("sources/chelsea_320x220.png"), QStringLiteral("--out"), out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("1024 image tokens"));

        const Safetensors st = readSafetensors(out);
        const QJsonObject tensor = st.header.value(QStringLiteral("pixel_values")).toObject();
        QCOMPARE(tensor.value(QStringLiteral("dtype")).toString(), QStringLiteral("F32"));
        QCOMPARE(tensor.value(QStringLiteral("shape")).toArray(), (QJsonArray{1, 3, 448, 448}));
        QCOMPARE(tensor.value(QStringLiteral("data_offsets")).toArray(), (QJsonArray{0, 3 * 448 * 448 * 4}));
        QCOMPARE(st.data.size(), qsizetype(3 * 448 * 448 * 4));

        // Same values as HF's CLIPImageProcessor (the expected fixture holds its bytes).
        const auto expected =
            vora::core::decodeImageFile(dataPath("expected/chelsea_crop_320x220.png").toStdString());
        const double mean[3] = {0.48145466, 0.4578275, 0.40821073};
        const double stdev[3] = {0.26862954, 0.26130258, 0.27577711};
        double worst = 0.0;
        for (int ch = 0; ch < 3; ++ch) {
            for (int i = 0; i < 448 * 448; ++i) {
                float got = 0.0f;
                std::memcpy(&got, st.data.constData() + (size_t(ch) * 448 * 448 + i) * 4, 4);
                const double want = (expected.rgb[size_t(i) * 3 + ch] / 255.0 - mean[ch]) / stdev[ch];
                worst = std::max(worst, std::fabs(got - want));
            }
        }
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));

        QFile jsonFile(out + QStringLiteral(".json"));
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject g = QJsonDocument::fromJson(jsonFile.readAll()).object();
        QCOMPARE(g.value(QStringLiteral("original_width")).toInt(), 320);
        QCOMPARE(g.value(QStringLiteral("original_height")).toInt(), 220);
        QCOMPARE(g.value(QStringLiteral("padded_side")).toInt(), 320);
        QCOMPARE(g.value(QStringLiteral("pad_left")).toInt(), 0);
        QCOMPARE(g.value(QStringLiteral("pad_top")).toInt(), 50);
        QCOMPARE(g.value(QStringLiteral("resized_width")).toInt(), 448);
        QCOMPARE(g.value(QStringLiteral("resized_height")).toInt(), 448);
        QCOMPARE(g.value(QStringLiteral("scale")).toDouble(), 1.4);
        QCOMPARE(g.value(QStringLiteral("grid_height")).toInt(), 32);
        QCOMPARE(g.value(QStringLiteral("grid_width")).toInt(), 32);
        QCOMPARE(g.value(QStringLiteral("patch_size")).toInt(), 14);
        QCOMPARE(g.value(QStringLiteral("token_count")).toInt(), 1024);
    }

    void nativeModeWithModelFolderAndJsonPath()
    {
        QTemporaryDir dir;
        QFile config(dir.filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"image_size": 448, "patch_size": 14})");
        config.close();
        const QString out = dir.filePath(QStringLiteral("p.safetensors"));
        const QString json = dir.filePath(QStringLiteral("geometry.json"));
        const CliResult r = runVora({QStringLiteral("preprocess"), QStringLiteral("--image"),
                                     dataPath("sources/page.png"), QStringLiteral("--model"), dir.path(),
                                     QStringLiteral("--native"), QStringLiteral("--out"), out,
                                     QStringLiteral("--out-json"), json});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const Safetensors st = readSafetensors(out);
        // page.png is 384x191: rounds to 378x196 patches of 14.
        QCOMPARE(st.header.value(QStringLiteral("pixel_values")).toObject().value(QStringLiteral("shape")).toArray(),
                 (QJsonArray{1, 3, 196, 378}));
        QFile jsonFile(json);
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject g = QJsonDocument::fromJson(jsonFile.readAll()).object();
        QCOMPARE(g.value(QStringLiteral("padded_side")).toInt(), 0);
        QCOMPARE(g.value(QStringLiteral("token_count")).toInt(), 27 * 14);
    }

    void errorsAreReportedWithExitCodes()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("x.safetensors"));
        CliResult r = runVora({QStringLiteral("preprocess"), QStringLiteral("--out"), out});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("--image is required"));

        r = runVora({QStringLiteral("preprocess"), QStringLiteral("--image"), QStringLiteral("/nonexistent.png"),
                     QStringLiteral("--out"), out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("file not found"));

        r = runVora({QStringLiteral("preprocess"), QStringLiteral("--image"), dataPath("manifest.json"),
                     QStringLiteral("--out"), out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("unsupported format"));
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestCliPreprocess)
#include "test_cli_preprocess.moc"
