#pragma once
// Thrown by the storage classes when the database or the image folder fails; what() is user-readable.
// A damaged database is its own kind, so the app can offer recovery instead of only reporting it.
#include <QString>

#include <stdexcept>

namespace vora::app {

class StoreError : public std::runtime_error {
public:
    enum class Kind {
        Failed,  // the OS or SQLite refused an operation
        Damaged, // the file's pages fail SQLite's integrity check; the file was left untouched
    };

    explicit StoreError(const QString& message, Kind kind = Kind::Failed, QString databasePath = {})
        : std::runtime_error(message.toStdString())
        , m_kind(kind)
        , m_databasePath(std::move(databasePath))
    {
    }

    Kind kind() const { return m_kind; }
    QString databasePath() const { return m_databasePath; } // set for errors about a whole database file

private:
    Kind m_kind;
    QString m_databasePath;
};

} // namespace vora::app
