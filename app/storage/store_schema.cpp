#include "app/storage/store_schema.h"

#include "app/storage/store_error.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

namespace vora::app {
namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("vora::app::ConversationStore", text);
}

void exec(QSqlDatabase& database, const QString& statement)
{
    QSqlQuery query(database);
    if (!query.exec(statement)) {
        throw StoreError(tr("Database error: %1 (%2)").arg(query.lastError().text(), statement.left(60)));
    }
}

int userVersion(QSqlDatabase& database)
{
    QSqlQuery query(QStringLiteral("PRAGMA user_version"), database);
    return query.next() ? query.value(0).toInt() : 0;
}

void runInTransaction(QSqlDatabase& database, const StoreMigration& migration, int version)
{
    if (!database.transaction()) {
        throw StoreError(database.lastError().text());
    }
    try {
        migration.apply(database);
        exec(database, QStringLiteral("PRAGMA user_version=%1").arg(version));
    } catch (const StoreError& error) {
        database.rollback();
        throw StoreError(tr("Upgrading the conversation database to version %1 (%2) failed: %3")
                             .arg(version)
                             .arg(QString::fromUtf8(migration.description), QString::fromUtf8(error.what())));
    }
    if (!database.commit()) {
        const QString error = database.lastError().text();
        database.rollback();
        throw StoreError(error);
    }
}

} // namespace

void migrateStore(QSqlDatabase& database, std::span<const StoreMigration> migrations)
{
    const int known = static_cast<int>(migrations.size());
    const int version = userVersion(database);
    if (version > known) {
        throw StoreError(tr("The conversation database was written by a newer VoRA Studio (schema %1, this one knows %2).")
                             .arg(version)
                             .arg(known));
    }
    for (int next = version; next < known; ++next) {
        runInTransaction(database, migrations[static_cast<size_t>(next)], next + 1);
    }
}

void prepareStoreSchema(QSqlDatabase& database)
{
    exec(database, QStringLiteral("PRAGMA journal_mode=WAL"));
    // With WAL, NORMAL keeps every committed transaction across a process crash; only a power loss
    // may drop the last ones.
    exec(database, QStringLiteral("PRAGMA synchronous=NORMAL"));
    exec(database, QStringLiteral("PRAGMA foreign_keys=ON"));
    migrateStore(database, storeMigrations());
}

} // namespace vora::app
