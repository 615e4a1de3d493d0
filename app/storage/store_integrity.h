#pragma once
// Whether SQLite can trust a conversation database's pages, found without changing the file: the
// check reads through a read-only connection, so not even a WAL checkpoint touches it.
#include <QString>

namespace vora::app {

struct StoreFileCheck {
    enum class Result { Absent, Healthy, Damaged };
    Result result = Result::Absent;
    QString details; // for Damaged: SQLite's first findings
};

// Absent for a missing or empty file (a new store starts there). Throws StoreError naming the file
// when it cannot be read at all (permissions, a folder in its place).
StoreFileCheck checkStoreFile(const QString& databasePath);

} // namespace vora::app
