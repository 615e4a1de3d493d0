// The conversation database's migrations: a real version-1 file (tests/data/store/v1, written by
// that version's own code) is brought to the current schema and keys (its empty "New chat" gone, the
// rest kept), and a migration that fails leaves the file at the last whole version.
#include "app/storage/conversation_store.h"
#include "app/storage/json_codec.h"
#include "app/storage/sql_query.h"
#include "app/storage/store_error.h"
#include "app/storage/store_schema.h"

#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace vora::app;
using vora::core::StopReason;

namespace {

const QString kFixture = QStringLiteral(VORA_TEST_DATA_DIR "/store/v1");

// Copies the version-1 fixture (database and images) into dir.
void copyFixture(const QDir& dir)
{
    QVERIFY(QFile::copy(kFixture + QStringLiteral("/conversations.sqlite3"), dir.filePath(QStringLiteral("conversations.sqlite3"))));
    QVERIFY(dir.mkpath(QStringLiteral("images")));
    for (const QString& name : QDir(kFixture + QStringLiteral("/images")).entryList(QDir::Files)) {
        QVERIFY(QFile::copy(kFixture + QStringLiteral("/images/") + name, dir.filePath(QStringLiteral("images/")) + name));
    }
}

// Runs work on a plain connection to path, outside any store.
template <typename Work>
void withRawConnection(const QString& path, Work&& work)
{
    {
        QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        raw.setDatabaseName(path);
        QVERIFY(raw.open());
        work(raw);
        raw.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
}

int count(QSqlDatabase& database, const QString& statement)
{
    QSqlQuery query(statement, database);
    return query.next() ? query.value(0).toInt() : -1;
}

void failingMigration(QSqlDatabase& database)
{
    runQuery(database, QStringLiteral("CREATE TABLE half_done (id INTEGER)"));
    throw StoreError(QStringLiteral("disk full"));
}

} // namespace

class TestStoreMigrations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void theVersion1FileReachesTheCurrentSchemaWithNothingLost()
    {
        QTemporaryDir dir;
        copyFixture(QDir(dir.path()));
        const QString database = dir.filePath(QStringLiteral("conversations.sqlite3"));
        withRawConnection(database, [](QSqlDatabase& raw) {
            QCOMPARE(count(raw, QStringLiteral("PRAGMA user_version")), 1);
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM messages WHERE stats_json LIKE '%decode_tokens_per_second%'")), 4);
        });
        {
            ConversationStore store(dir.path());
            QCOMPARE(store.schemaVersion(), kStoreSchemaVersion);
            QCOMPARE(store.schemaVersion(), 5);
            // Version 3 removes conversations without messages ("Empty, with model defaults").
            const QList<ConversationSummary> conversations = store.conversations();
            QCOMPARE(conversations.size(), 1);
            QCOMPARE(conversations.first().title, QStringLiteral("Cats"));
            QVERIFY(conversations.first().modelName.isEmpty()); // not known for older conversations
            const qint64 cats = conversations.first().id;
            const QList<ChatMessage> messages = store.messages(cats);
            QCOMPARE(messages.size(), 5);
            QCOMPARE(messages.at(0).text, QStringLiteral("What is this?"));
            QCOMPARE(messages.at(0).imagePaths.size(), 1);
            QVERIFY(QFile::exists(messages.at(0).imagePaths.first()));
            QVERIFY(!messages.at(0).stats.has_value());
            const QList<double> speeds = {12.5, 8.25, 20, 15.75};
            const QList<StopReason> reasons = {StopReason::Eos, StopReason::Cancelled, StopReason::StopString, StopReason::Length};
            for (int i = 1; i < 5; ++i) {
                QVERIFY(messages.at(i).stats.has_value());
                QCOMPARE(messages.at(i).stats->decodeTokensPerSecond, speeds.at(i - 1));
                QCOMPARE(messages.at(i).stats->stopReason, reasons.at(i - 1));
                QCOMPARE(messages.at(i).stats->prefillMs, 31.5);
                QCOMPARE(messages.at(i).stats->peakMemoryBytes, int64_t(123456789));
            }
            QCOMPARE(messages.at(2).state, MessageState::Stopped);
            // Version 1 stored every field: read as overrides, they all hold.
            const ConversationSettings settings = applySettingsOverrides({}, store.conversationOverrides(cats));
            QCOMPARE(settings.systemPrompt, QStringLiteral("Be brief."));
            QCOMPARE(settings.generation.sampling.temperature, 0.5);
            QCOMPARE(settings.generation.sampling.topP, 0.9);
            QCOMPARE(settings.generation.sampling.topK, 30);
            QCOMPARE(settings.generation.sampling.minP, 0.05);
            QCOMPARE(settings.generation.sampling.repetitionPenalty, 1.1);
            QCOMPARE(settings.generation.sampling.seed, 42);
            QCOMPARE(settings.generation.stop.maxNewTokens, 256);
        }
        withRawConnection(database, [](QSqlDatabase& raw) {
            QCOMPARE(count(raw, QStringLiteral("PRAGMA user_version")), 5);
            // Version 5: attention maps have their table (empty: no answer had one).
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM answer_attention")), 0);
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM conversations")), 1);
            // Version 4 (the fine-tune job queue) adds an empty table.
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM training_jobs")), 0);
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM messages WHERE stats_json LIKE '%decode_tokens_per_second%'")), 0);
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM messages WHERE stats_json LIKE '%\"decode_tokens_per_s\"%'")), 4);
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM messages WHERE stats_json LIKE '%\"stop_reason\":\"stop_string\"%'")), 1);
        });
    }

    void aFailedMigrationLeavesTheLastWholeVersion()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.sqlite3"));
        const StoreMigration createA{"table a", [](QSqlDatabase& database) {
                                         runQuery(database, QStringLiteral("CREATE TABLE a (id INTEGER)")); // throws if run twice
                                     }};
        const StoreMigration createB{"table b", [](QSqlDatabase& database) {
                                         runQuery(database, QStringLiteral("CREATE TABLE b (id INTEGER)"));
                                     }};
        const StoreMigration broken{"half a table", &failingMigration};
        withRawConnection(path, [&](QSqlDatabase& raw) {
            const std::array failing{createA, broken};
            try {
                migrateStore(raw, failing);
                QFAIL("the failing migration must throw");
            } catch (const StoreError& error) {
                QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("version 2 (half a table)")), error.what());
                QVERIFY(QString::fromUtf8(error.what()).contains(QStringLiteral("disk full")));
            }
            QCOMPARE(count(raw, QStringLiteral("PRAGMA user_version")), 1);
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'")), 1);
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'")), 0);
            // The next start carries on from version 1: a is not created twice.
            const std::array fixed{createA, createB};
            migrateStore(raw, fixed);
            QCOMPARE(count(raw, QStringLiteral("PRAGMA user_version")), 2);
            QCOMPARE(count(raw, QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'")), 1);
            // A file newer than the list is refused and left as it is.
            QVERIFY_THROWS_EXCEPTION(StoreError, migrateStore(raw, std::span(fixed).first(1)));
            QCOMPARE(count(raw, QStringLiteral("PRAGMA user_version")), 2);
        });
    }
};

QTEST_GUILESS_MAIN(TestStoreMigrations)
#include "test_store_migrations.moc"
