#include "app/storage/sql_connection.h"

#include "app/storage/store_error.h"

#include <QSqlError>
#include <QUuid>

namespace vora::app {

SqlConnection::SqlConnection(const QString& path, const QString& options)
    : m_name(QStringLiteral("vora-sql-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    m_database.setDatabaseName(path);
    m_database.setConnectOptions(options);
    if (!m_database.open()) {
        const QString error = m_database.lastError().text();
        m_database = {};
        QSqlDatabase::removeDatabase(m_name);
        throw StoreError(QStringLiteral("Cannot open the database %1: %2").arg(path, error), StoreError::Kind::Failed,
                         path);
    }
}

SqlConnection::~SqlConnection()
{
    m_database.close();
    m_database = {};
    QSqlDatabase::removeDatabase(m_name);
}

} // namespace vora::app
