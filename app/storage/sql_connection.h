#pragma once
// One named Qt SQL connection to an SQLite file, removed again when this goes out of scope. For the
// short-lived connections of the integrity check and recovery (the store keeps its own for life).
#include <QSqlDatabase>
#include <QString>

namespace vora::app {

class SqlConnection {
public:
    // options: Qt's QSQLITE connect options, e.g. "QSQLITE_OPEN_READONLY". Throws StoreError naming
    // path when SQLite cannot open it.
    SqlConnection(const QString& path, const QString& options = {});
    ~SqlConnection();
    SqlConnection(const SqlConnection&) = delete;
    SqlConnection& operator=(const SqlConnection&) = delete;

    QSqlDatabase& database() { return m_database; }

private:
    QString m_name;
    QSqlDatabase m_database;
};

} // namespace vora::app
