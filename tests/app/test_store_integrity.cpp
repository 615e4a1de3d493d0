// A damaged or unreadable conversation database: reported naming the file, left byte for byte as it
// was, recoverable into a new database with the damaged one kept; the sidebar list reports a store
// it cannot read instead of showing it as empty.
#include "app/conversations/conversation_list_model.h"
#include "app/storage/conversation_store.h"
#include "app/storage/store_error.h"
#include "app/storage/store_opening.h"
#include "app/storage/store_recovery.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "png_fixture.h"

using namespace vora::app;

namespace {

constexpr int kConversations = 300;
constexpr qint64 kPageBytes = 4096; // SQLite's default page size, which the store keeps

QByteArray fileHash(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256) : QByteArray();
}

QString answerText(int n)
{
    return QStringLiteral("answer %1 ").arg(n) + QString(500, QChar(u'a' + n % 26));
}

// kConversations conversations of a question (with an image every tenth) and an answer each.
void fillStore(const QString& directory)
{
    ConversationStore store(directory);
    const QString image = store.importImage(pngBytes(Qt::blue, QSize(6, 6)));
    for (int n = 0; n < kConversations; ++n) {
        store.transaction([&] {
            const qint64 id = store.createConversation(QStringLiteral("conversation %1").arg(n));
            ChatMessage question;
            question.conversationId = id;
            question.role = QStringLiteral("user");
            question.text = QStringLiteral("question %1").arg(n);
            if (n % 10 == 0) {
                question.imageHashes = {image};
            }
            store.addMessage(question);
            ChatMessage answer = question;
            answer.role = QStringLiteral("assistant");
            answer.text = answerText(n);
            answer.imageHashes.clear();
            store.addMessage(answer);
        });
    }
}

// Overwrites whole pages at 40% and 60% of the file with bytes no b-tree page can start with.
void damagePages(const QString& path)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    const qint64 pages = file.size() / kPageBytes;
    QVERIFY(pages > 20);
    for (const qint64 page : {pages * 4 / 10, pages * 6 / 10}) {
        QVERIFY(file.seek(page * kPageBytes));
        QCOMPARE(file.write(QByteArray(kPageBytes, '\xff')), kPageBytes);
    }
}

} // namespace

class TestStoreIntegrity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void damagedPagesAreReportedNamingTheFileAndLeftUntouched()
    {
        QTemporaryDir dir;
        fillStore(dir.path());
        const QString database = ConversationStore::databasePathIn(dir.path());
        damagePages(database);
        const QByteArray before = fileHash(database);
        try {
            ConversationStore store(dir.path());
            QFAIL("a damaged database opened");
        } catch (const StoreError& error) {
            QCOMPARE(error.kind(), StoreError::Kind::Damaged);
            QCOMPARE(error.databasePath(), database);
            QVERIFY2(QString::fromUtf8(error.what()).contains(database), error.what());
            QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("damaged")), error.what());
        }
        QCOMPARE(fileHash(database), before);
        // Declining recovery leaves it so too.
        QVERIFY_THROWS_EXCEPTION(StoreError, openStoreWithRecovery(dir.path(), [](const StoreError&) { return false; }));
        QCOMPARE(fileHash(database), before);
    }

    void recoveryCopiesEveryReadableRowAndKeepsTheDamagedFile()
    {
        QTemporaryDir dir;
        fillStore(dir.path());
        const QString database = ConversationStore::databasePathIn(dir.path());
        damagePages(database);
        const QByteArray damaged = fileHash(database);

        int asked = 0;
        const StoreOpening opening = openStoreWithRecovery(dir.path(), [&](const StoreError& error) {
            ++asked;
            return error.kind() == StoreError::Kind::Damaged;
        });
        QCOMPARE(asked, 1);
        QVERIFY(opening.recovery.has_value());
        QVERIFY(opening.store);
        const StoreRecovery& recovery = *opening.recovery;
        QCOMPARE(fileHash(recovery.damagedCopy), damaged);
        QVERIFY(recovery.damagedCopy.startsWith(dir.filePath(QStringLiteral("conversations.damaged-"))));
        QVERIFY(recovery.unreadableStretches >= 1);

        // Every message that came back is exactly what was written, in a conversation that lists it.
        const QList<ConversationSummary> conversations = opening.store->conversations();
        int messages = 0;
        int images = 0;
        for (const ConversationSummary& conversation : conversations) {
            for (const ChatMessage& message : opening.store->messages(conversation.id)) {
                const int n = message.text.section(QLatin1Char(' '), 1, 1).toInt();
                QCOMPARE(message.text, message.role == QLatin1String("user") ? QStringLiteral("question %1").arg(n)
                                                                              : answerText(n));
                for (const QString& path : message.imagePaths) {
                    QCOMPARE(QFile(path).size(), qint64(pngBytes(Qt::blue, QSize(6, 6)).size()));
                    ++images;
                }
                ++messages;
            }
        }
        qInfo("recovered %d of %d messages (%lld conversations, %d image links), %d unreadable stretches", messages,
              2 * kConversations, static_cast<long long>(conversations.size()), images, recovery.unreadableStretches);
        QCOMPARE(messages, recovery.messages);
        QCOMPARE(static_cast<int>(conversations.size()), recovery.conversations);
        QVERIFY(messages < 2 * kConversations);  // the damage cost something ...
        QVERIFY(messages > 2 * kConversations / 2); // ... but most of it came back
        QVERIFY(images > 0);
        // The recovered store is a working one.
        const qint64 id = opening.store->createConversation(QStringLiteral("after recovery"));
        QCOMPARE(opening.store->conversation(id)->title, QStringLiteral("after recovery"));
    }

    void anUnreadableFileIsNamed_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<bool>("folder");
        QTest::newRow("not a database") << QByteArray("this is a text file, not SQLite\n").repeated(200) << false;
        QTest::newRow("a folder in its place") << QByteArray() << true;
    }

    void anUnreadableFileIsNamed()
    {
        QFETCH(QByteArray, content);
        QFETCH(bool, folder);
        QTemporaryDir dir;
        const QString database = ConversationStore::databasePathIn(dir.path());
        if (folder) {
            QVERIFY(QDir().mkpath(database));
        } else {
            QFile file(database);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        const QByteArray before = fileHash(database);
        try {
            ConversationStore store(dir.path());
            QFAIL("an unreadable database opened");
        } catch (const StoreError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(database), error.what());
            QCOMPARE(error.databasePath(), database);
        }
        QCOMPARE(fileHash(database), before);
    }

    void theListReportsAStoreItCannotRead()
    {
        QTemporaryDir dir;
        ConversationStore store(dir.path());
        store.createConversation(QStringLiteral("one"));
        store.createConversation(QStringLiteral("two"));
        ConversationListModel model(&store);
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(model.lastError().isEmpty());
        {
            QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
            other.setDatabaseName(store.databasePath());
            QVERIFY(other.open());
            QVERIFY(QSqlQuery(other).exec(QStringLiteral("ALTER TABLE conversations RENAME TO hidden")));
            other.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("other"));
        QSignalSpy failed(&model, &ConversationListModel::refreshFailed);
        model.refresh();
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("conversations")), qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(model.lastError(), failed.at(0).at(0).toString());
        QCOMPARE(model.rowCount(), 2); // not an empty list
    }
};

QTEST_GUILESS_MAIN(TestStoreIntegrity)
#include "test_store_integrity.moc"
