#pragma once
// The conversation database's schema and how it changes. Thread of the connection.
//
// The mechanism: PRAGMA user_version counts the migrations a file has run. storeMigrations()
// (store_migrations.cpp) lists every migration in order; opening a store runs, in order, each one the
// file has not run yet, every migration in its own transaction together with its user_version bump,
// so a failure or a crash leaves the file at the last whole version and the next start carries on
// from there. A file with a higher version than this build knows is refused and left untouched.
//
// To change the schema (a new table, a new column, a rewrite of stored JSON): append a migration to
// store_migrations.cpp and raise kStoreSchemaVersion with it. Never edit a migration that has been
// released: users' files have already run it. docs/architecture.md ("Conversation database") says
// the same for those who add features.
#include <QSqlDatabase>

#include <span>

namespace vora::app {

struct StoreMigration {
    const char* description;
    void (*apply)(QSqlDatabase& database); // throws StoreError; runs inside the migration's transaction
};

inline constexpr int kStoreSchemaVersion = 5;

// Every migration, oldest first; element i brings a file from version i to version i + 1.
std::span<const StoreMigration> storeMigrations();

// Turns on WAL and foreign keys, then migrates to kStoreSchemaVersion. Throws StoreError, also when
// the file was written by a newer schema than this build knows.
void prepareStoreSchema(QSqlDatabase& database);

// Runs the migrations the file has not run yet, each in its own transaction (exposed for tests).
void migrateStore(QSqlDatabase& database, std::span<const StoreMigration> migrations);

} // namespace vora::app
