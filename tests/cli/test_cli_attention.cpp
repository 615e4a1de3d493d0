// `vora attention` end to end on a tiny random VoRA model (real Qwen2 tokenizer) with two images of
// different shapes (64x48 and 7x5, so the padding crop matters): the PNG overlays exist, decode and
// have the ORIGINAL images' sizes; its mean grids equal `vora run --attention-map` for the same greedy
// run; its rollout and prompt-position grids equal core's reprefillAttention on the same prompt; bad
// flags exit 2 and a missing image exits 1 naming the file.
#include "cli_runner.h"
#include "core/attention/reprefill_attention.h"
#include "core/image/image_decoder.h"
#include "core/runtime/vora_engine.h"
#include "tiny_model_writer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kPrompt = QStringLiteral("Where is it?");

QStringList images()
{
    return {QStringLiteral(VORA_TEST_DATA_DIR "/image/decode/rgb.jpg"), QStringLiteral(VORA_TEST_DATA_DIR "/image/decode/grey.png")};
}

QStringList generationArgs(const QString& model)
{
    QStringList args = {QStringLiteral("--model"), model};
    for (const QString& image : images()) {
        args << QStringLiteral("--image") << image;
    }
    args << QStringLiteral("--prompt") << kPrompt << QStringLiteral("--temperature") << QStringLiteral("0")
         << QStringLiteral("--max-new-tokens") << QStringLiteral("4") << QStringLiteral("--min-new-tokens")
         << QStringLiteral("4");
    return args;
}

QJsonObject readJson(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
}

// Largest |a - b| over [token][image][patch] grids, counting the values compared.
double maxDifference(const QJsonArray& a, const std::vector<vora::core::ImageGrids>& b, size_t& values)
{
    double worst = a.size() == qsizetype(b.size()) ? 0 : 1e9;
    for (qsizetype i = 0; i < a.size() && i < qsizetype(b.size()); ++i) {
        const QJsonArray grids = a[i].toObject().value(QStringLiteral("grids")).toArray();
        worst = std::max(worst, grids.size() == qsizetype(b[i].size()) ? 0.0 : 1e9);
        for (qsizetype j = 0; j < grids.size() && j < qsizetype(b[i].size()); ++j) {
            const QJsonArray grid = grids[j].toArray();
            worst = std::max(worst, grid.size() == qsizetype(b[i][j].size()) ? 0.0 : 1e9);
            for (qsizetype p = 0; p < grid.size() && p < qsizetype(b[i][j].size()); ++p) {
                worst = std::max(worst, std::abs(grid[p].toDouble() - double(b[i][j][size_t(p)])));
                ++values;
            }
        }
    }
    return worst;
}

} // namespace

class TestCliAttention : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString()));
    }

    void meanOverlaysMatchRunAttentionMap()
    {
        const QString out = m_dir.filePath(QStringLiteral("mean"));
        const CliResult r = runVora(QStringList{QStringLiteral("attention")} + generationArgs(m_model)
                                    + QStringList{QStringLiteral("--out-dir"), out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString mapFile = m_dir.filePath(QStringLiteral("run_map.json"));
        const CliResult run = runVora(QStringList{QStringLiteral("run")} + generationArgs(m_model)
                                      + QStringList{QStringLiteral("--attention-map"), mapFile});
        QCOMPARE(run.exitCode, 0);

        const QJsonObject ours = readJson(out + QStringLiteral("/attention.json"));
        const QJsonObject theirs = readJson(mapFile);
        QCOMPARE(ours.value(QStringLiteral("aggregate")).toString(), QStringLiteral("mean"));
        const QJsonArray tokens = ours.value(QStringLiteral("tokens")).toArray();
        const QJsonArray runTokens = theirs.value(QStringLiteral("tokens")).toArray();
        QCOMPARE(tokens.size(), 4);
        QCOMPARE(runTokens.size(), 4);
        size_t values = 0;
        double worst = 0;
        for (qsizetype i = 0; i < tokens.size(); ++i) {
            const QJsonObject a = tokens[i].toObject();
            const QJsonObject b = runTokens[i].toObject();
            QCOMPARE(a.value(QStringLiteral("id")).toInt(), b.value(QStringLiteral("id")).toInt());
            const QJsonArray gridsA = a.value(QStringLiteral("grids")).toArray();
            const QJsonArray gridsB = b.value(QStringLiteral("grids")).toArray();
            QCOMPARE(gridsA.size(), 2);
            QCOMPARE(gridsB.size(), 2);
            for (qsizetype j = 0; j < 2; ++j) {
                const QJsonArray ga = gridsA[j].toArray();
                const QJsonArray gb = gridsB[j].toArray();
                QCOMPARE(ga.size(), gb.size());
                for (qsizetype p = 0; p < ga.size(); ++p) {
                    worst = std::max(worst, std::abs(ga[p].toDouble() - gb[p].toDouble()));
                    ++values;
                }
            }
        }
        // The mean of the layer means vs the recorder's mean over layers and heads at once: float32 rounding.
        QCOMPARE(values, size_t(4 * 2 * 16));
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));

        // One overlay per token and image plus a contact sheet per image, each decoding at the original size.
        const QJsonArray imageInfo = ours.value(QStringLiteral("images")).toArray();
        QCOMPARE(imageInfo.size(), 2);
        int decoded = 0;
        for (int j = 0; j < 2; ++j) {
            const auto original = vora::core::decodeImageFile(images()[j].toStdString());
            QCOMPARE(imageInfo[j].toObject().value(QStringLiteral("width")).toInt(), original.width);
            QStringList files;
            for (int i = 0; i < 4; ++i) {
                files << QStringLiteral("%1/token_%2_image_%3.png").arg(out).arg(i, 3, 10, QLatin1Char('0')).arg(j);
            }
            for (const QString& file : files) {
                const auto png = vora::core::decodeImageFile(file.toStdString());
                QCOMPARE(png.width, original.width);
                QCOMPARE(png.height, original.height);
                QVERIFY(png.rgb != original.rgb); // the map is drawn on it
                ++decoded;
            }
            const auto sheet = vora::core::decodeImageFile(QStringLiteral("%1/contact_sheet_image_%2.png").arg(out).arg(j).toStdString());
            QVERIFY(sheet.width > 4 * 192);
            ++decoded;
        }
        QCOMPARE(decoded, 10);
    }

    void rolloutAndPromptPositionMatchCore()
    {
        const QString out = m_dir.filePath(QStringLiteral("rollout"));
        const CliResult r = runVora(QStringList{QStringLiteral("attention")} + generationArgs(m_model)
                                    + QStringList{QStringLiteral("--out-dir"), out, QStringLiteral("--aggregate"),
                                                  QStringLiteral("rollout"), QStringLiteral("--layers"), QStringLiteral("1-1"),
                                                  QStringLiteral("--token-position"), QStringLiteral("3")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject ours = readJson(out + QStringLiteral("/attention.json"));
        QCOMPARE(ours.value(QStringLiteral("layers")).toArray(), (QJsonArray{1, 1}));

        const auto engine = vora::core::VoraEngine::load(m_model.toStdString());
        std::vector<vora::core::PreparedImage> prepared;
        for (const QString& image : images()) {
            prepared.push_back(engine->prepareImage(image.toStdString()));
        }
        vora::core::ReprefillRequest request;
        request.prompt = engine->chatPrompt({{"user", kPrompt.toStdString(), 2}}, prepared);
        for (const QJsonValue& token : ours.value(QStringLiteral("tokens")).toArray()) {
            request.answerIds.push_back(token.toObject().value(QStringLiteral("id")).toInt());
        }
        request.promptPositions = {3};
        request.rolloutLayers = {1, 1};
        const auto expected = engine->reprefillAttention(request);
        QCOMPARE(request.answerIds.size(), size_t(4));
        size_t values = 0;
        const double worst = maxDifference(ours.value(QStringLiteral("tokens")).toArray(), expected->answerRollout, values);
        const QJsonArray position{ours.value(QStringLiteral("prompt_position")).toObject()};
        const double worstPosition = maxDifference(position, {expected->promptPositionRollout[0]}, values);
        QCOMPARE(values, size_t(5 * 2 * 16));
        QVERIFY2(worst == 0.0, qPrintable(QString::number(worst))); // the same computation; JSON keeps float32 exactly
        QVERIFY2(worstPosition == 0.0, qPrintable(QString::number(worstPosition)));
        for (int j = 0; j < 2; ++j) {
            const auto png = vora::core::decodeImageFile(QStringLiteral("%1/position_3_image_%2.png").arg(out).arg(j).toStdString());
            QCOMPARE(png.width, vora::core::decodeImageFile(images()[j].toStdString()).width);
        }
    }

    void badFlagsAndFilesGiveTheirExitCodes_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("aggregate") << QStringList{QStringLiteral("--aggregate"), QStringLiteral("median")} << 2
                                   << QStringLiteral("--aggregate");
        QTest::newRow("layers syntax") << QStringList{QStringLiteral("--layers"), QStringLiteral("2-1")} << 2
                                       << QStringLiteral("--layers");
        QTest::newRow("layers beyond the model") << QStringList{QStringLiteral("--layers"), QStringLiteral("0-5")} << 2
                                                 << QStringLiteral("layers 0-1");
        QTest::newRow("position beyond the prompt") << QStringList{QStringLiteral("--token-position"), QStringLiteral("5000")}
                                                    << 2 << QStringLiteral("--token-position 5000");
        QTest::newRow("missing image") << QStringList{QStringLiteral("--image"), QStringLiteral("/nonexistent/cat.png")} << 1
                                       << QStringLiteral("/nonexistent/cat.png");
    }

    void badFlagsAndFilesGiveTheirExitCodes()
    {
        QFETCH(QStringList, extra);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const CliResult r = runVora(QStringList{QStringLiteral("attention")} + generationArgs(m_model)
                                    + QStringList{QStringLiteral("--out-dir"), m_dir.filePath(QStringLiteral("bad"))} + extra);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    }

private:
    QTemporaryDir m_dir;
    QString m_model;
};

QTEST_GUILESS_MAIN(TestCliAttention)
#include "test_cli_attention.moc"
