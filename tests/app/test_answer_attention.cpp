// The app's attention maps: the float16 blob round trip (bits), damaged blobs refused by field, the
// size bound, the viewer's selections against sums written out here, and the store (save, reload,
// gone with the answer).
#include "app/attention/attention_codec.h"
#include "app/attention/attention_export.h"
#include "app/attention/attention_overlay.h"
#include "app/attention/attention_selection.h"
#include "app/chat/conversation_controller.h"
#include "app/inference/fake_chat_backend.h"
#include "app/inference/model_host.h"
#include "app/settings/app_settings.h"
#include "app/storage/conversation_store.h"
#include "app/storage/sql_query.h"
#include "png_fixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRandomGenerator>
#include <QtEndian>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <stdexcept>

using namespace vora::app;

namespace {

constexpr int kLayers = 3, kHeads = 4, kKvHeads = 2, kTokens = 5;

HalfGrids randomGrids(QRandomGenerator& random, int values)
{
    HalfGrids grids;
    for (int i = 0; i < values; ++i) {
        grids.push_back(qfloat16(float(random.generateDouble() * 0.1)));
    }
    return grids;
}

// Two images (3x4 and 2x2), every head of three layers; each value a random float16 (plus a few
// extremes in token 0), so a round trip that changed any bit shows.
AnswerAttention sampleAttention()
{
    QRandomGenerator random(7);
    AnswerAttention attention;
    attention.detail = AttentionDetailLevel::Heads;
    attention.layerNumbers = {0, 1, 2};
    attention.heads = kHeads;
    attention.kvHeads = kKvHeads;
    AttentionImage wide;
    wide.imagePath = QStringLiteral("/tmp/wide.png");
    wide.gridHeight = 3;
    wide.gridWidth = 4;
    wide.originalWidth = 80;
    wide.originalHeight = 40;
    wide.paddedSide = 80;
    wide.padTop = 20;
    wide.resizedWidth = 56;
    wide.resizedHeight = 28;
    wide.patchSize = 14;
    wide.scale = 0.7;
    AttentionImage square = wide;
    square.imagePath = QStringLiteral("/tmp/square.png");
    square.gridHeight = square.gridWidth = 2;
    attention.images = {wide, square};
    const int patches = attention.totalPatches();
    for (int i = 0; i < kTokens; ++i) {
        AttentionToken token;
        token.text = i == 0 ? QStringLiteral(" red 🟥") : QStringLiteral("t%1").arg(i);
        token.imageShare = float(random.generateDouble());
        token.mean = randomGrids(random, patches);
        for (int l = 0; l < kLayers; ++l) {
            token.layers.push_back(randomGrids(random, patches));
            std::vector<HalfGrids> heads;
            for (int h = 0; h < kHeads; ++h) {
                heads.push_back(randomGrids(random, patches));
            }
            token.heads.push_back(heads);
        }
        attention.tokens.append(token);
    }
    attention.tokens[0].mean[0] = qfloat16(65504.0f);    // the largest float16
    attention.tokens[0].mean[1] = qfloat16(6.0e-8f);     // a subnormal
    attention.tokens[0].mean[2] = qfloat16(-0.0f);
    return attention;
}

qint64 rowCount(const ConversationStore& store)
{
    QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
    raw.setDatabaseName(store.databasePath());
    qint64 rows = -1;
    if (raw.open()) {
        QSqlQuery query(QStringLiteral("SELECT COUNT(*) FROM answer_attention"), raw);
        rows = query.next() ? query.value(0).toLongLong() : -1;
        raw.close();
    }
    raw = {};
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    return rows;
}

ChatMessage message(qint64 conversation, const QString& role, const QString& text)
{
    ChatMessage result;
    result.conversationId = conversation;
    result.role = role;
    result.text = text;
    return result;
}

} // namespace

class TestAnswerAttention : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theBlobRoundTripsEveryBit()
    {
        const AnswerAttention original = sampleAttention();
        const QByteArray blob = encodeAttention(original);
        const AnswerAttention decoded = decodeAttention(blob);
        QVERIFY(decoded == original);
        // operator== compares the grids with memcmp; count what it compared and check one by hand.
        const qint64 values = qint64(kTokens) * (1 + kLayers + kLayers * kHeads) * original.totalPatches();
        QCOMPARE(attentionGridBytes(decoded), values * 2);
        QCOMPARE(values, 5 * 16 * 16);
        QCOMPARE(std::memcmp(&decoded.tokens[0].mean[2], &original.tokens[0].mean[2], 2), 0); // -0 stays -0
        QCOMPARE(float(decoded.tokens[0].mean[0]), 65504.0f);
        QVERIFY(blob.size() > attentionGridBytes(original));
        QVERIFY(blob.size() < attentionGridBytes(original) + 1024); // the header is small
        // And a changed bit is seen.
        AnswerAttention changed = decoded;
        changed.tokens[4].heads[2][3][15] = qfloat16(float(changed.tokens[4].heads[2][3][15]) + 0.5f);
        QVERIFY(!(changed == original));
    }

    void damagedBlobsAreRefusedByField_data()
    {
        QTest::addColumn<int>("cut");
        QTest::addColumn<QString>("field");
        const QByteArray blob = encodeAttention(sampleAttention());
        QTest::newRow("empty") << int(blob.size()) << "magic";
        QTest::newRow("half the grids") << int(blob.size() / 2) << "tokens.";
        QTest::newRow("one byte short") << 1 << "tokens.heads";
    }

    void damagedBlobsAreRefusedByField()
    {
        QFETCH(int, cut);
        QFETCH(QString, field);
        const QByteArray blob = encodeAttention(sampleAttention());
        try {
            decodeAttention(blob.left(blob.size() - cut));
            QFAIL("a damaged blob was accepted");
        } catch (const std::runtime_error& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(field), error.what());
        }
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, decodeAttention(blob + QByteArray(1, '\0'))); // trailing bytes
    }

    void theSizeBoundLowersTheDetail()
    {
        const AnswerAttention full = sampleAttention();
        const qint64 perGrid = qint64(full.totalPatches()) * 2 * kTokens;
        AnswerAttention bounded = full;
        boundAttention(bounded, 0); // no bound
        QVERIFY(bounded == full);
        boundAttention(bounded, perGrid * (1 + kLayers)); // heads do not fit, layers do
        QCOMPARE(bounded.detail, AttentionDetailLevel::Layers);
        QCOMPARE(bounded.heads, 0);
        QVERIFY(bounded.tokens[0].heads.empty());
        QCOMPARE(bounded.tokens[0].layers.size(), size_t(kLayers));
        boundAttention(bounded, perGrid);
        QCOMPARE(bounded.detail, AttentionDetailLevel::Mean);
        QVERIFY(bounded.layerNumbers.isEmpty());
        QVERIFY(bounded.tokens[3].mean == full.tokens[3].mean);
        boundAttention(bounded, perGrid - 1);
        QVERIFY(bounded.isEmpty());
        QCOMPARE(bounded.detail, AttentionDetailLevel::Off);
    }

    void selectionsCombineTheStoredGrids()
    {
        const AnswerAttention attention = sampleAttention();
        const int token = 2, image = 1, offset = attention.patchOffset(image), patches = 4;
        QCOMPARE(offset, 12);
        const AttentionToken& t = attention.tokens[token];
        int compared = 0;

        AttentionSelection all; // mean over everything: the stored mean as it is
        const std::vector<float> mean = selectedGrid(attention, token, image, all);
        for (int p = 0; p < patches; ++p, ++compared) {
            QCOMPARE(mean[p], float(t.mean[offset + p]));
        }
        AttentionSelection range{LayerScope::Range, 1, 2};
        const std::vector<float> ranged = selectedGrid(attention, token, image, range);
        AttentionSelection single{LayerScope::Single, 2, 2, HeadAggregation::Max};
        const std::vector<float> maxed = selectedGrid(attention, token, image, single);
        AttentionSelection group{LayerScope::Single, 0, 0, HeadAggregation::KvGroup, 1};
        const std::vector<float> grouped = selectedGrid(attention, token, image, group);
        for (int p = 0; p < patches; ++p, compared += 3) {
            const float expectedRange = (float(t.layers[1][offset + p]) + float(t.layers[2][offset + p])) / 2;
            QVERIFY(qAbs(ranged[p] - expectedRange) < 1e-7f);
            float expectedMax = 0;
            for (int h = 0; h < kHeads; ++h) {
                expectedMax = std::max(expectedMax, float(t.heads[2][h][offset + p]));
            }
            QCOMPARE(maxed[p], expectedMax);
            // KV group 1 of 2 holds query heads 2 and 3.
            const float expectedGroup = (float(t.heads[0][2][offset + p]) + float(t.heads[0][3][offset + p])) / 2;
            QVERIFY(qAbs(grouped[p] - expectedGroup) < 1e-7f);
        }
        QCOMPARE(compared, 16);

        AnswerAttention meanOnly = attention;
        boundAttention(meanOnly, qint64(attention.totalPatches()) * 2 * kTokens);
        QVERIFY(supports(meanOnly, all));
        QVERIFY(!supports(meanOnly, range));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, selectedGrid(meanOnly, token, image, range));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, selectedGrid(attention, kTokens, image, all));
    }

    void sinkPatchesAreHidden()
    {
        AnswerAttention attention = sampleAttention();
        // Patch 5 of image 0 takes most of every layer's attention for every token: a sink.
        for (AttentionToken& token : attention.tokens) {
            for (HalfGrids& layer : token.layers) {
                layer[5] = qfloat16(0.9f);
            }
        }
        QCOMPARE(sinkPatches(attention, 0), std::vector<int>{5});
        QVERIFY(sinkPatches(attention, 1).empty());
        AttentionSelection selection{LayerScope::Range, 0, 2};
        selection.hideSinks = true;
        const std::vector<float> grid = selectedGrid(attention, 0, 0, selection);
        QCOMPARE(grid[5], 0.0f);
        QVERIFY(grid[4] > 0.0f);
        QVERIFY(answerMaximum(attention, 0, selection) < 0.2f);
        selection.hideSinks = false;
        QCOMPARE(answerMaximum(attention, 0, selection), float(qfloat16(0.9f)));
    }

    void theStoreKeepsMapsWithTheirAnswersOnly()
    {
        QTemporaryDir dir;
        ConversationStore store(dir.path());
        const qint64 id = store.createConversation(QStringLiteral("Maps"));
        const QString hash = store.importImage(pngBytes(Qt::red, QSize(8, 8)));
        ChatMessage question = message(id, QStringLiteral("user"), QStringLiteral("Where is red?"));
        question.imageHashes = {hash};
        store.addMessage(question);
        ChatMessage answer = message(id, QStringLiteral("assistant"), QStringLiteral("Left"));
        store.addMessage(answer);

        AnswerAttention map = sampleAttention();
        map.images[0].imagePath = store.imagePath(hash); // inside the store: kept relative to it
        store.saveAttention(answer.id, map);
        QVERIFY(store.hasAttention(answer.id));
        QVERIFY(!store.hasAttention(question.id));
        const std::optional<AnswerAttention> loaded = store.attention(answer.id);
        QVERIFY(loaded.has_value());
        QVERIFY(*loaded == map);
        QCOMPARE(store.messages(id).at(1).hasAttention, true);
        QCOMPARE(store.messages(id).at(0).hasAttention, false);
        QCOMPARE(rowCount(store), 1);

        // Regenerating and editing remove the answer (deleteMessagesFrom): its map goes with it.
        store.deleteMessagesFrom(id, answer.id);
        QVERIFY(!store.attention(answer.id).has_value());
        QCOMPARE(rowCount(store), 0);

        ChatMessage again = message(id, QStringLiteral("assistant"), QStringLiteral("Right"));
        store.addMessage(again);
        store.saveAttention(again.id, map);
        QCOMPARE(rowCount(store), 1);
        store.deleteConversation(id);
        QCOMPARE(rowCount(store), 0);
    }

    void thePreferenceReachesTheController()
    {
        QTemporaryDir dir;
        QSettings qsettings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        AppSettings settings(&qsettings);
        QCOMPARE(settings.attentionDetail(), AttentionDetailLevel::Layers);
        QCOMPARE(settings.attentionMaxBytes(), qint64(16) << 20);
        ConversationStore store(dir.filePath(QStringLiteral("store")));
        ModelHost host(std::make_unique<FakeChatBackend>());
        ConversationController controller(&store, &host, &settings);
        QCOMPARE(controller.attentionDetail(), AttentionDetailLevel::Layers);
        settings.setAttentionCapture(AttentionDetailLevel::Heads, 1000);
        QCOMPARE(controller.attentionDetail(), AttentionDetailLevel::Heads);
        QCOMPARE(settings.attentionMaxBytes(), 1000);
        qsettings.setValue(QStringLiteral("attention/detail"), QStringLiteral("everything"));
        QCOMPARE(settings.attentionDetail(), AttentionDetailLevel::Layers); // unknown names: the default
        QCOMPARE(attentionDetailFromName(QStringLiteral("off")), AttentionDetailLevel::Off);
        QCOMPARE(attentionDetailName(AttentionDetailLevel::Mean), QStringLiteral("mean"));
    }

    void theOverlayCoversTheOriginalImageOnly()
    {
        QCOMPARE(colourAt(ColourMap::Viridis, 0.0), QColor(0x44, 0x01, 0x54));
        QCOMPARE(colourAt(ColourMap::Viridis, 1.0), QColor(0xfd, 0xe7, 0x25));
        QCOMPARE(colourAt(ColourMap::Cividis, 2.0), QColor(0xfe, 0xe8, 0x38)); // clamped
        // A wide 80x40 image padded to 80x80 (20 px above and below), a 4x4 grid of 14 px patches on
        // 56 px: rows 0 and 3 are mostly padding.
        AttentionImage image = sampleAttention().images[0];
        image.gridHeight = image.gridWidth = 4;
        std::vector<float> grid(16, 0.0f);
        grid[1 * 4 + 2] = 0.5f; // row 1, column 2: original x 40..60, y 0..20 (scale 0.7 of 80 -> 56)
        QImage white(80, 40, QImage::Format_RGB32);
        white.fill(Qt::white);
        OverlayStyle style;
        style.opacity = 1.0;
        const QImage out = renderAttentionOverlay(white, image, grid, style);
        QCOMPARE(out.size(), QSize(80, 40));
        const QRectF hot = image.patchRectInOriginal(1, 2);
        QCOMPARE(out.pixelColor(hot.center().toPoint()), colourAt(ColourMap::Viridis, 1.0));
        QCOMPARE(out.pixelColor(5, 30), colourAt(ColourMap::Viridis, 0.0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, renderAttentionOverlay(white, image, {1.0f}, style));
    }

    void exportsHoldTheGridsAndAnApngThatParses()
    {
        const AnswerAttention attention = sampleAttention();
        const AttentionSelection all;
        const QList<QByteArray> lines = attentionCsv(attention, 1, all).trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + kTokens * 4);
        QVERIFY(lines[1].startsWith("0,\" red 🟥\","));
        QVERIFY(lines[1].endsWith(",0,0," + QByteArray::number(float(attention.tokens[0].mean[12]), 'g', 9)));
        const QJsonObject json = attentionJson(attention, 0, all);
        QCOMPARE(json[QStringLiteral("tokens")].toArray().size(), kTokens);
        QCOMPARE(json[QStringLiteral("tokens")].toArray()[2].toObject()[QStringLiteral("grid")].toArray().size(), 12);
        QCOMPARE(json[QStringLiteral("image")].toObject()[QStringLiteral("grid_width")].toInt(), 4);

        QCOMPARE(pngCrc32("IEND"), 0xae426082u); // the CRC every PNG ends with
        QList<QImage> frames;
        for (QColor colour : {QColor(Qt::red), QColor(Qt::green), QColor(Qt::blue)}) {
            QImage frame(24, 12, QImage::Format_RGB32);
            frame.fill(colour);
            frames.append(frame);
        }
        const QImage sheet = contactSheet(frames, {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, 2);
        QCOMPARE(sheet.pixelColor(6 + 5, 6 + 5), QColor(Qt::red));
        QCOMPARE(sheet.pixelColor(6 + 5, 6 + 12 + 18 + 6 + 5), QColor(Qt::blue)); // second row
        const QByteArray apng = assembleApng(frames, 250);
        // Our own walk: every CRC right, chunk order and sequence numbers as the APNG spec says.
        QByteArray types;
        quint32 expectedSequence = 0;
        qsizetype at = 8;
        int chunks = 0;
        while (at < apng.size()) {
            const quint32 length = qFromBigEndian<quint32>(apng.constData() + at);
            const QByteArray body = apng.mid(at + 4, 4 + length);
            QCOMPARE(qFromBigEndian<quint32>(apng.constData() + at + 8 + length), pngCrc32(body));
            const QByteArray type = body.left(4);
            if (type == "fcTL" || type == "fdAT") {
                QCOMPARE(qFromBigEndian<quint32>(body.constData() + 4), expectedSequence++);
            }
            types += type.left(2) + ' ';
            at += 12 + length;
            ++chunks;
        }
        QCOMPARE(at, apng.size());
        QVERIFY2(types.startsWith("IH ac fc ID ") && types.endsWith("IE "), types.constData());
        QCOMPARE(types.count("fc"), 3);
        // And an independent decoder: PIL reads three frames of the right colours and delay.
        const QString path = QDir(QDir::tempPath()).filePath(QStringLiteral("vora-test-%1.png").arg(QCoreApplication::applicationPid()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(apng);
        file.close();
        QProcess python;
        python.start(QStringLiteral("python3"), {QStringLiteral("-c"), QStringLiteral(
            "import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1])\nout = []\n"
            "for i in range(im.n_frames):\n    im.seek(i)\n    out.append('%d,%d,%d:%d' % (*im.convert('RGB').getpixel((3, 3)), im.info.get('duration', -1)))\n"
            "print(im.format, im.n_frames, ' '.join(out))"), path});
        QVERIFY(python.waitForFinished(60000));
        QFile::remove(path);
        if (python.exitCode() != 0 && python.readAllStandardError().contains("No module named")) {
            QSKIP("PIL is not installed (the toolbox has it)");
        }
        QCOMPARE(QString::fromUtf8(python.readAllStandardOutput()).trimmed(),
                 QStringLiteral("PNG 3 255,0,0:250 0,255,0:250 0,0,255:250"));
    }
};

QTEST_MAIN(TestAnswerAttention) // a QGuiApplication: the contact sheet draws text
#include "test_answer_attention.moc"
