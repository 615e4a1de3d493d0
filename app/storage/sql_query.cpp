#include "app/storage/sql_query.h"

#include "app/storage/store_error.h"

#include <QSqlError>

namespace vora::app {

QSqlQuery runQuery(const QSqlDatabase& database, const QString& statement, std::initializer_list<QVariant> values)
{
    QSqlQuery query(database);
    if (!query.prepare(statement)) {
        throw StoreError(QStringLiteral("Database error: %1").arg(query.lastError().text()));
    }
    for (const QVariant& value : values) {
        query.addBindValue(value);
    }
    if (!query.exec()) {
        throw StoreError(QStringLiteral("Database error: %1").arg(query.lastError().text()));
    }
    return query;
}

} // namespace vora::app
