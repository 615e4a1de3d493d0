#include "app/storage/store_recovery.h"

#include "app/storage/sql_connection.h"
#include "app/storage/sql_query.h"
#include "app/storage/store_error.h"
#include "app/storage/store_schema.h"
#include "core/io/durable_file.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

#include <algorithm>
#include <limits>

namespace vora::app {
namespace {

constexpr int kBatchRows = 256;
constexpr qint64 kNoRow = std::numeric_limits<qint64>::min();

QStringList columnsOf(QSqlDatabase& database, const QString& table)
{
    QSqlQuery query(database);
    QStringList columns;
    if (query.exec(QStringLiteral("PRAGMA table_info(\"%1\")").arg(table))) {
        while (query.next()) {
            columns.append(query.value(1).toString());
        }
    }
    return columns;
}

QStringList tablesOf(QSqlDatabase& database)
{
    QSqlQuery query = runQuery(database, QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                        "AND name NOT LIKE 'sqlite_%' ORDER BY rootpage"));
    QStringList tables;
    while (query.next()) {
        tables.append(query.value(0).toString());
    }
    return tables;
}

qint64 saturatingAdd(qint64 value, qint64 step)
{
    return value > std::numeric_limits<qint64>::max() - step ? std::numeric_limits<qint64>::max() : value + step;
}

// Copies the rows of one table that SQLite can still reach. Rows are read in rowid order; where a
// damaged page stops the scan, reading resumes past it at doubling distances, so rows in the
// b-tree's other subtrees are still found.
class TableCopier {
public:
    TableCopier(QSqlDatabase& source, QSqlDatabase& target, const QString& table, const QStringList& columns)
        : m_source(source)
        , m_select(QStringLiteral("SELECT rowid, \"%1\" FROM \"%2\" WHERE rowid > ? ORDER BY rowid LIMIT ?")
                       .arg(columns.join(QStringLiteral("\", \"")), table))
        , m_insert(target)
    {
        QStringList marks(columns.size(), QStringLiteral("?"));
        const QString insert = QStringLiteral("INSERT OR IGNORE INTO \"%1\" (\"%2\") VALUES (%3)")
                                   .arg(table, columns.join(QStringLiteral("\", \"")), marks.join(QLatin1Char(',')));
        if (!m_insert.prepare(insert)) {
            throw StoreError(QStringLiteral("Recovery cannot write %1: %2").arg(table, m_insert.lastError().text()));
        }
    }

    void run()
    {
        qint64 after = kNoRow;
        for (;;) {
            const Batch batch = read(after, kBatchRows);
            after = std::max(after, batch.lastRowid);
            if (batch.complete && batch.rows < kBatchRows) {
                return;
            }
            if (!batch.complete) {
                ++m_stretches;
                const std::optional<qint64> resume = nextReadable(after);
                if (!resume) {
                    return;
                }
                after = *resume;
            }
        }
    }

    int stretches() const { return m_stretches; }

private:
    struct Batch {
        bool complete = true; // false: SQLite stopped at a damaged page
        int rows = 0;
        qint64 lastRowid = kNoRow;
    };

    Batch read(qint64 after, int limit)
    {
        Batch batch;
        QSqlQuery query(m_source);
        query.setForwardOnly(true);
        if (!query.prepare(m_select)) {
            batch.complete = false;
            return batch;
        }
        query.addBindValue(after);
        query.addBindValue(limit);
        if (!query.exec()) {
            batch.complete = false;
            return batch;
        }
        while (query.next()) {
            const QSqlRecord record = query.record();
            for (int column = 1; column < record.count(); ++column) {
                m_insert.addBindValue(record.value(column));
            }
            if (!m_insert.exec()) {
                throw StoreError(QStringLiteral("Recovery cannot write a row: %1").arg(m_insert.lastError().text()));
            }
            batch.lastRowid = query.value(0).toLongLong();
            ++batch.rows;
        }
        batch.complete = !query.lastError().isValid();
        return batch;
    }

    // The rowid just before the next row that can be read after a damaged stretch, or nullopt when
    // nothing after it can be reached.
    std::optional<qint64> nextReadable(qint64 after)
    {
        for (qint64 step = 1; step > 0 && after != std::numeric_limits<qint64>::max(); step *= 2) {
            const qint64 probe = saturatingAdd(after, step);
            QSqlQuery query(m_source);
            query.setForwardOnly(true);
            if (!query.prepare(QStringLiteral("SELECT rowid FROM (%1)").arg(m_select))) {
                return std::nullopt;
            }
            query.addBindValue(probe);
            query.addBindValue(1);
            if (!query.exec()) {
                continue;
            }
            const bool found = query.next();
            if (query.lastError().isValid()) {
                continue;
            }
            if (!found) {
                return std::nullopt;
            }
            return query.value(0).toLongLong() - 1;
        }
        return std::nullopt;
    }

    QSqlDatabase& m_source;
    QString m_select;
    QSqlQuery m_insert;
    int m_stretches = 0;
};

int userVersionOf(QSqlDatabase& database)
{
    QSqlQuery query(database);
    if (query.exec(QStringLiteral("PRAGMA user_version")) && query.next()) {
        return query.value(0).toInt();
    }
    return kStoreSchemaVersion;
}

// Rows that pointed at rows lost to the damage: messages get a conversation again, image links
// whose image row was lost find the file by its hash, and links to nothing are dropped.
void repairReferences(QSqlDatabase& database, const QString& imageDirectory)
{
    runQuery(database, QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) "
                                      "SELECT conversation_id, 'Recovered conversation', MIN(created_at), MAX(created_at) "
                                      "FROM messages WHERE conversation_id NOT IN (SELECT id FROM conversations) "
                                      "GROUP BY conversation_id"));
    runQuery(database, QStringLiteral("DELETE FROM message_images WHERE message_id NOT IN (SELECT id FROM messages)"));
    QSqlQuery missing = runQuery(database, QStringLiteral("SELECT DISTINCT image_hash FROM message_images "
                                                          "WHERE image_hash NOT IN (SELECT hash FROM images)"));
    QStringList hashes;
    while (missing.next()) {
        hashes.append(missing.value(0).toString());
    }
    const QDir images(imageDirectory);
    for (const QString& hash : hashes) {
        const QFileInfoList files = images.entryInfoList({hash + QStringLiteral(".*")}, QDir::Files);
        if (files.isEmpty()) {
            runQuery(database, QStringLiteral("DELETE FROM message_images WHERE image_hash = ?"), {hash});
            continue;
        }
        runQuery(database, QStringLiteral("INSERT INTO images (hash, file_name, byte_size, created_at) VALUES (?, ?, ?, ?)"),
                 {hash, files.first().fileName(), files.first().size(), files.first().lastModified().toMSecsSinceEpoch()});
    }
}

int countRows(QSqlDatabase& database, const QString& table)
{
    QSqlQuery query(database);
    return query.exec(QStringLiteral("SELECT count(*) FROM \"%1\"").arg(table)) && query.next() ? query.value(0).toInt() : 0;
}

QString asideName(const QString& databasePath)
{
    const QFileInfo info(databasePath);
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss"));
    QString name = info.dir().filePath(info.completeBaseName() + QStringLiteral(".damaged-") + stamp + QStringLiteral(".sqlite3"));
    for (int n = 2; QFileInfo::exists(name); ++n) {
        name = info.dir().filePath(info.completeBaseName() + QStringLiteral(".damaged-%1-%2.sqlite3").arg(stamp).arg(n));
    }
    return name;
}

void moveFile(const QString& from, const QString& to)
{
    if (!QFile::rename(from, to)) {
        throw StoreError(QStringLiteral("Recovery cannot move %1 to %2.").arg(from, to));
    }
}

} // namespace

StoreRecovery recoverStore(const QString& databasePath, const QString& imageDirectory)
{
    const QString building = databasePath + QStringLiteral(".recovering");
    QFile::remove(building);
    QFile::remove(building + QStringLiteral("-journal"));
    StoreRecovery result;
    {
        SqlConnection source(databasePath, QStringLiteral("QSQLITE_OPEN_READONLY"));
        SqlConnection target(building);
        const int version = userVersionOf(source.database());
        if (version > kStoreSchemaVersion) {
            throw StoreError(QStringLiteral("%1 was written by a newer VoRA Studio (schema %2); recover it with that version.")
                                 .arg(databasePath)
                                 .arg(version));
        }
        // The copy starts at the damaged file's own schema version; opening the result runs the
        // migrations after it as for any older file.
        migrateStore(target.database(), storeMigrations().first(static_cast<size_t>(std::max(version, 0))));
        runQuery(target.database(), QStringLiteral("PRAGMA foreign_keys=OFF"));
        if (!target.database().transaction()) {
            throw StoreError(target.database().lastError().text());
        }
        for (const QString& table : tablesOf(target.database())) {
            const QStringList readable = columnsOf(source.database(), table);
            QStringList columns;
            for (const QString& column : columnsOf(target.database(), table)) {
                if (readable.isEmpty() || readable.contains(column)) {
                    columns.append(column);
                }
            }
            if (columns.isEmpty()) {
                continue;
            }
            TableCopier copier(source.database(), target.database(), table, columns);
            copier.run();
            result.unreadableStretches += copier.stretches();
        }
        if (version >= 1) {
            repairReferences(target.database(), imageDirectory);
        }
        if (!target.database().commit()) {
            throw StoreError(QStringLiteral("Recovery cannot write %1: %2").arg(building, target.database().lastError().text()));
        }
        result.conversations = countRows(target.database(), QStringLiteral("conversations"));
        result.messages = countRows(target.database(), QStringLiteral("messages"));
        result.images = countRows(target.database(), QStringLiteral("images"));
    }
    result.damagedCopy = asideName(databasePath);
    moveFile(databasePath, result.damagedCopy);
    for (const char* suffix : {"-wal", "-shm"}) {
        if (QFileInfo::exists(databasePath + QLatin1String(suffix))) {
            moveFile(databasePath + QLatin1String(suffix), result.damagedCopy + QLatin1String(suffix));
        }
    }
    moveFile(building, databasePath);
    core::syncDirectory(QFileInfo(databasePath).absolutePath().toStdString());
    return result;
}

} // namespace vora::app
