#pragma once
// The conversation database's schema and its versioning (PRAGMA user_version). Thread of the connection.
#include <QSqlDatabase>

namespace vora::app {

inline constexpr int kStoreSchemaVersion = 1;

// Turns on WAL and foreign keys and creates or upgrades the tables. Throws StoreError, also when the
// file was written by a newer schema than this build knows.
void prepareStoreSchema(QSqlDatabase& database);

} // namespace vora::app
