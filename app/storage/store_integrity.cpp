#include "app/storage/store_integrity.h"

#include "app/storage/sql_connection.h"
#include "app/storage/store_error.h"

#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

namespace vora::app {
namespace {

constexpr int kFindingsShown = 3;

StoreFileCheck damaged(const QString& details)
{
    return {StoreFileCheck::Result::Damaged, details};
}

} // namespace

StoreFileCheck checkStoreFile(const QString& databasePath)
{
    const QFileInfo info(databasePath);
    if (!info.exists()) {
        return {};
    }
    if (!info.isFile()) {
        throw StoreError(QStringLiteral("Cannot open the conversation database %1: it is not a regular file.").arg(databasePath),
                         StoreError::Kind::Failed, databasePath);
    }
    QFile probe(databasePath);
    if (!probe.open(QIODevice::ReadOnly)) {
        throw StoreError(QStringLiteral("Cannot open the conversation database %1: %2").arg(databasePath, probe.errorString()),
                         StoreError::Kind::Failed, databasePath);
    }
    if (probe.size() == 0) {
        return {};
    }
    probe.close();

    SqlConnection connection(databasePath, QStringLiteral("QSQLITE_OPEN_READONLY"));
    // quick_check reads every page and verifies the b-trees; it skips only the index-vs-table
    // comparison of integrity_check, which costs O(N log N) and finds nothing a reader trips over.
    QSqlQuery query(connection.database());
    if (!query.exec(QStringLiteral("PRAGMA quick_check(%1)").arg(kFindingsShown))) {
        return damaged(query.lastError().databaseText());
    }
    QStringList findings;
    while (query.next()) {
        findings.append(query.value(0).toString());
    }
    if (query.lastError().isValid()) {
        findings.append(query.lastError().databaseText());
    }
    if (findings == QStringList{QStringLiteral("ok")}) {
        return {StoreFileCheck::Result::Healthy, {}};
    }
    return damaged(findings.isEmpty() ? QStringLiteral("the integrity check returned nothing") : findings.join(QStringLiteral("; ")));
}

} // namespace vora::app
