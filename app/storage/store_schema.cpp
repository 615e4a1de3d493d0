#include "app/storage/store_schema.h"

#include "app/storage/store_error.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace vora::app {
namespace {

void exec(QSqlDatabase& database, const QString& statement)
{
    QSqlQuery query(database);
    if (!query.exec(statement)) {
        throw StoreError(QCoreApplication::translate("vora::app::ConversationStore", "Database error: %1 (%2)")
                             .arg(query.lastError().text(), statement.left(60)));
    }
}

int userVersion(QSqlDatabase& database)
{
    QSqlQuery query(QStringLiteral("PRAGMA user_version"), database);
    return query.next() ? query.value(0).toInt() : 0;
}

const QStringList& version1()
{
    static const QStringList statements = {
        QStringLiteral("CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL, "
                       "created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, settings_json TEXT)"),
        QStringLiteral("CREATE TABLE messages (id INTEGER PRIMARY KEY, "
                       "conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, "
                       "role TEXT NOT NULL, text TEXT NOT NULL, state TEXT NOT NULL, error TEXT, "
                       "stats_json TEXT, created_at INTEGER NOT NULL)"),
        QStringLiteral("CREATE INDEX messages_by_conversation ON messages(conversation_id, id)"),
        QStringLiteral("CREATE TABLE images (hash TEXT PRIMARY KEY, file_name TEXT NOT NULL, "
                       "byte_size INTEGER NOT NULL, created_at INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE message_images (message_id INTEGER NOT NULL REFERENCES messages(id) "
                       "ON DELETE CASCADE, position INTEGER NOT NULL, image_hash TEXT NOT NULL REFERENCES images(hash), "
                       "PRIMARY KEY (message_id, position))"),
    };
    return statements;
}

} // namespace

void prepareStoreSchema(QSqlDatabase& database)
{
    exec(database, QStringLiteral("PRAGMA journal_mode=WAL"));
    // With WAL, NORMAL keeps every committed transaction across a process crash; only a power loss
    // may drop the last ones.
    exec(database, QStringLiteral("PRAGMA synchronous=NORMAL"));
    exec(database, QStringLiteral("PRAGMA foreign_keys=ON"));
    const int version = userVersion(database);
    if (version > kStoreSchemaVersion) {
        throw StoreError(QCoreApplication::translate("vora::app::ConversationStore",
                                                     "The conversation database was written by a newer VoRA Studio "
                                                     "(schema %1, this one knows %2).")
                             .arg(version)
                             .arg(kStoreSchemaVersion));
    }
    if (version == kStoreSchemaVersion) {
        return;
    }
    if (!database.transaction()) {
        throw StoreError(database.lastError().text());
    }
    try {
        for (const QString& statement : version1()) {
            exec(database, statement);
        }
        exec(database, QStringLiteral("PRAGMA user_version=%1").arg(kStoreSchemaVersion));
    } catch (...) {
        database.rollback();
        throw;
    }
    if (!database.commit()) {
        throw StoreError(database.lastError().text());
    }
}

} // namespace vora::app
