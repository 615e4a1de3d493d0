#pragma once
// Recovery of a damaged conversation database: every row SQLite can still read is copied into a new
// database; the damaged file is kept beside it under a new name, never changed. GUI thread (or any
// thread with no other connection to the file).
#include <QString>

namespace vora::app {

struct StoreRecovery {
    QString damagedCopy; // where the damaged database now lies
    int conversations = 0;
    int messages = 0;
    int images = 0;
    int unreadableStretches = 0; // runs of rows SQLite could not read (each loses one or more rows)
};

// databasePath: the damaged database; imageDirectory: the store's image folder (images whose rows
// were lost are found again there by their content hash). Builds the new database beside the old
// one first, then renames the damaged file (with its -wal and -shm) to
// "<name>.damaged-<yyyyMMdd-hhmmss>.sqlite3" and the new one into its place; on failure the
// damaged file stays where it was. Throws StoreError.
StoreRecovery recoverStore(const QString& databasePath, const QString& imageDirectory);

} // namespace vora::app
