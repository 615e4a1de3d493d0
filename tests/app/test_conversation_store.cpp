#include "app/storage/conversation_exporter.h"
#include "app/storage/conversation_store.h"
#include "app/storage/json_codec.h"
#include "app/storage/store_error.h"
#include "app/storage/store_schema.h"

#include <QBuffer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "png_fixture.h"

using namespace vora::app;

namespace {

ChatMessage message(qint64 conversation, const QString& role, const QString& text)
{
    ChatMessage result;
    result.conversationId = conversation;
    result.role = role;
    result.text = text;
    return result;
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestConversationStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripsAcrossReopening()
    {
        QTemporaryDir dir;
        qint64 id = 0;
        QString hash;
        {
            ConversationStore store(dir.path());
            QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
            id = store.createConversation(QStringLiteral("Cats"));
            hash = store.importImage(pngBytes(Qt::red, QSize(8, 8)));
            QCOMPARE(hash.size(), 64);
            ChatMessage question = message(id, QStringLiteral("user"), QStringLiteral("What is this? 🐱"));
            question.imageHashes = {hash};
            store.addMessage(question);
            ChatMessage answer = message(id, QStringLiteral("assistant"), QStringLiteral("A red square"));
            answer.state = MessageState::Stopped;
            vora::core::GenerationStats stats;
            stats.generatedTokens = 3;
            stats.decodeTokensPerSecond = 12.5;
            stats.stopReason = vora::core::StopReason::StopString;
            answer.stats = stats;
            store.addMessage(answer);
            ConversationSettings settings;
            settings.systemPrompt = QStringLiteral("Be brief.");
            settings.generation.sampling.seed = 42;
            settings.generation.sampling.minP = 0.05;
            settings.generation.stop.minNewTokens = 3;
            settings.generation.stop.stopStrings = {"\n\n", "User:"};
            store.setConversationOverrides(id, settingsOverrides(settings, ConversationSettings{}));
            store.setConversationModel(id, QStringLiteral("SmolLM2-135M"));
        }
        ConversationStore reopened(dir.path());
        QCOMPARE(reopened.conversations().size(), 1);
        QCOMPARE(reopened.conversation(id)->title, QStringLiteral("Cats"));
        const QList<ChatMessage> messages = reopened.messages(id);
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).text, QStringLiteral("What is this? 🐱"));
        QCOMPARE(messages.at(0).imageHashes, QStringList{hash});
        QCOMPARE(readAll(messages.at(0).imagePaths.first()), pngBytes(Qt::red, QSize(8, 8)));
        QCOMPARE(messages.at(1).state, MessageState::Stopped);
        QVERIFY(messages.at(1).stats.has_value());
        QCOMPARE(messages.at(1).stats->generatedTokens, 3);
        QCOMPARE(messages.at(1).stats->decodeTokensPerSecond, 12.5);
        QCOMPARE(messages.at(1).stats->stopReason, vora::core::StopReason::StopString);
        QCOMPARE(reopened.conversation(id)->modelName, QStringLiteral("SmolLM2-135M"));
        // Only the keys that differ from the layer below are stored.
        const QJsonObject overrides = reopened.conversationOverrides(id);
        const QStringList keys = overrides.keys();
        QCOMPARE(QSet<QString>(keys.begin(), keys.end()),
                 (QSet<QString>{QStringLiteral("system_prompt"), QStringLiteral("seed"), QStringLiteral("min_p"),
                                QStringLiteral("min_new_tokens"), QStringLiteral("stop_strings")}));
        const ConversationSettings settings = applySettingsOverrides(ConversationSettings{}, overrides);
        QCOMPARE(settings.systemPrompt, QStringLiteral("Be brief."));
        QCOMPARE(settings.generation.sampling.seed, 42);
        QCOMPARE(settings.generation.sampling.minP, 0.05);
        QCOMPARE(settings.generation.stop.minNewTokens, 3);
        QCOMPARE(settings.generation.stop.stopStrings, (std::vector<std::string>{"\n\n", "User:"}));
        // Everything else kept the built-in defaults.
        QCOMPARE(settings.generation.sampling.temperature, vora::core::SamplingParams{}.temperature);
        QCOMPARE(settings.generation.stop.maxNewTokens, vora::core::StopCriteria{}.maxNewTokens);
    }

    void searchesTitlesAndMessageTextLiterally()
    {
        QTemporaryDir dir;
        ConversationStore store(dir.path());
        const qint64 a = store.createConversation(QStringLiteral("Holiday photos"));
        const qint64 b = store.createConversation(QStringLiteral("Receipts"));
        ChatMessage text = message(b, QStringLiteral("user"), QStringLiteral("total is 100% of 20_00"));
        store.addMessage(text);
        QCOMPARE(store.conversations(QStringLiteral("holiday")).size(), 1);
        QCOMPARE(store.conversations(QStringLiteral("100%")).first().id, b);
        QCOMPARE(store.conversations(QStringLiteral("0_0")).size(), 1);
        QCOMPARE(store.conversations(QStringLiteral("%")).size(), 1); // a literal percent, not a wildcard
        QCOMPARE(store.conversations().size(), 2);
        QCOMPARE(store.conversations().first().id, b); // most recently updated first
        Q_UNUSED(a);
    }

    void deletingAConversationRemovesImagesNoOneUses()
    {
        QTemporaryDir dir;
        ConversationStore store(dir.path());
        const qint64 a = store.createConversation(QStringLiteral("a"));
        const qint64 b = store.createConversation(QStringLiteral("b"));
        const QString shared = store.importImage(pngBytes(Qt::green, QSize(8, 8)));
        const QString own = store.importImage(pngBytes(Qt::blue, QSize(8, 8)));
        ChatMessage inA = message(a, QStringLiteral("user"), QStringLiteral("x"));
        inA.imageHashes = {shared, own};
        store.addMessage(inA);
        ChatMessage inB = message(b, QStringLiteral("user"), QStringLiteral("y"));
        inB.imageHashes = {shared};
        store.addMessage(inB);
        const QString ownPath = store.imagePath(own);
        store.deleteConversation(a);
        QVERIFY(store.messages(a).isEmpty());
        QVERIFY(!QFile::exists(ownPath));
        QVERIFY(QFile::exists(store.imagePath(shared)));
    }

    void rejectsDataThatIsNoImage()
    {
        QTemporaryDir dir;
        ConversationStore store(dir.path());
        QVERIFY_THROWS_EXCEPTION(StoreError, store.importImage("not an image"));
    }

    void refusesADatabaseFromANewerVersion()
    {
        QTemporaryDir dir;
        {
            ConversationStore store(dir.path());
            QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            raw.setDatabaseName(store.databasePath());
            QVERIFY(raw.open());
            QSqlQuery(QStringLiteral("PRAGMA user_version=99"), raw);
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        QVERIFY_THROWS_EXCEPTION(StoreError, ConversationStore(dir.path()));
    }

    void exportsMarkdownAndJsonWithImages()
    {
        QTemporaryDir dir;
        ConversationStore store(dir.filePath(QStringLiteral("data")));
        const qint64 id = store.createConversation(QStringLiteral("Shapes"));
        ChatMessage question = message(id, QStringLiteral("user"), QStringLiteral("What colour?"));
        question.imageHashes = {store.importImage(pngBytes(Qt::red, QSize(8, 8)))};
        store.addMessage(question);
        ChatMessage answer = message(id, QStringLiteral("assistant"), QStringLiteral("**Red**."));
        store.addMessage(answer);

        const QString md = dir.filePath(QStringLiteral("out/shapes.md"));
        QDir().mkpath(dir.filePath(QStringLiteral("out")));
        exportConversation(store, id, md, ExportFormat::Markdown);
        const QString markdown = QString::fromUtf8(readAll(md));
        QVERIFY(markdown.startsWith(QStringLiteral("# Shapes")));
        QVERIFY(markdown.contains(QStringLiteral("**Red**.")));
        const QRegularExpressionMatch link =
            QRegularExpression(QStringLiteral(R"(!\[image 1\]\((shapes_images/[0-9a-f]{64}\.png)\))")).match(markdown);
        QVERIFY2(link.hasMatch(), qPrintable(markdown));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("out/")) + link.captured(1)), pngBytes(Qt::red, QSize(8, 8)));

        const QString jsonPath = dir.filePath(QStringLiteral("out/shapes.json"));
        exportConversation(store, id, jsonPath, ExportFormat::Json);
        const QJsonObject root = QJsonDocument::fromJson(readAll(jsonPath)).object();
        QCOMPARE(root.value(QStringLiteral("title")).toString(), QStringLiteral("Shapes"));
        const QJsonArray messages = root.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        const QString image = messages.at(0).toObject().value(QStringLiteral("images")).toArray().at(0).toString();
        QCOMPARE(readAll(dir.filePath(QStringLiteral("out/")) + image), pngBytes(Qt::red, QSize(8, 8)));
    }

    void aKilledWriterLeavesEveryCommittedRow()
    {
        QTemporaryDir dir;
        const QString database = dir.filePath(QStringLiteral("killed.sqlite3"));
        QProcess writer;
        writer.start(QStringLiteral(VORA_STORE_WRITER), {database});
        QVERIFY(writer.waitForStarted());
        int committed = 0;
        QByteArray output;
        while (committed < 60 && writer.state() == QProcess::Running) {
            writer.waitForReadyRead(5000);
            output += writer.readAllStandardOutput();
            const auto lines = output.split('\n');
            for (const QByteArray& line : lines) {
                if (line.startsWith("committed ")) {
                    committed = std::max(committed, line.mid(10).toInt());
                }
            }
        }
        writer.kill(); // SIGKILL: no destructor, no checkpoint, mid-transaction
        QVERIFY(writer.waitForFinished());
        QVERIFY2(committed >= 60, output.right(300).constData());

        ConversationStore reopened(database, dir.filePath(QStringLiteral("images")));
        const QList<ConversationSummary> conversations = reopened.conversations();
        qInfo("writer reported %d commits; %lld conversations survived", committed,
              static_cast<long long>(conversations.size()));
        QVERIFY(conversations.size() >= committed);
        QStringList titles;
        for (const ConversationSummary& summary : conversations) {
            titles.append(summary.title);
            QCOMPARE(reopened.messages(summary.id).size(), 2); // never half a transaction
        }
        for (int n = 1; n <= committed; ++n) {
            QVERIFY(titles.contains(QStringLiteral("conversation %1").arg(n)));
        }
    }
};

QTEST_GUILESS_MAIN(TestConversationStore)
#include "test_conversation_store.moc"
