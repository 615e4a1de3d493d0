#include "app/storage/conversation_store.h"

#include "app/storage/json_codec.h"
#include "app/storage/sql_query.h"
#include "app/storage/store_error.h"
#include "app/storage/store_integrity.h"
#include "core/error.h"
#include "core/io/durable_file.h"
#include "core/io/fault_injection.h"
#include "app/storage/store_schema.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QImageReader>
#include <QJsonDocument>
#include <QSqlError>
#include <QStandardPaths>
#include <QUuid>

#include <cstring>

namespace vora::app {
namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString likePattern(const QString& filter)
{
    QString escaped = filter;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

ConversationSummary summaryFrom(const QSqlQuery& query)
{
    ConversationSummary summary;
    summary.id = query.value(0).toLongLong();
    summary.title = query.value(1).toString();
    summary.created = QDateTime::fromMSecsSinceEpoch(query.value(2).toLongLong());
    summary.updated = QDateTime::fromMSecsSinceEpoch(query.value(3).toLongLong());
    summary.modelName = query.value(4).toString();
    return summary;
}

// QString() binds as SQL NULL; message text is NOT NULL, and an answer starts empty.
QString notNull(const QString& text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

QVariant jsonColumn(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

QString ConversationStore::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString ConversationStore::databasePathIn(const QString& directory)
{
    return QDir(directory).filePath(QStringLiteral("conversations.sqlite3"));
}

QString ConversationStore::imageDirectoryIn(const QString& directory)
{
    return QDir(directory).filePath(QStringLiteral("images"));
}

ConversationStore::ConversationStore(const QString& directory)
    : ConversationStore(databasePathIn(directory), imageDirectoryIn(directory))
{
}

ConversationStore::ConversationStore(const QString& databasePath, const QString& imageDirectory)
    : m_databasePath(databasePath)
    , m_imageDirectory(imageDirectory)
    , m_connectionName(QStringLiteral("vora-store-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    if (!QDir().mkpath(QFileInfo(databasePath).absolutePath()) || !QDir().mkpath(imageDirectory)) {
        throw StoreError(QStringLiteral("Cannot create the data folder for %1.").arg(databasePath));
    }
    // Before anything writes to it (turning on WAL changes the header): a damaged file is reported
    // and left exactly as it is, for recoverStore() or the user's own tools.
    const StoreFileCheck check = checkStoreFile(databasePath);
    if (check.result == StoreFileCheck::Result::Damaged) {
        throw StoreError(QStringLiteral("The conversation database %1 is damaged (%2). It has not been changed.")
                             .arg(databasePath, check.details),
                         StoreError::Kind::Damaged, databasePath);
    }
    m_database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_database.setDatabaseName(databasePath);
    if (!m_database.open()) {
        const QString error = m_database.lastError().text();
        m_database = {};
        QSqlDatabase::removeDatabase(m_connectionName);
        throw StoreError(QStringLiteral("Cannot open the conversation database %1: %2").arg(databasePath, error),
                         StoreError::Kind::Failed, databasePath);
    }
    try {
        prepareStoreSchema(m_database);
    } catch (const StoreError& error) {
        m_database.close();
        m_database = {};
        QSqlDatabase::removeDatabase(m_connectionName);
        throw StoreError(QStringLiteral("Cannot open the conversation database %1: %2")
                             .arg(databasePath, QString::fromUtf8(error.what())),
                         StoreError::Kind::Failed, databasePath);
    }
}

ConversationStore::~ConversationStore()
{
    m_database.close();
    m_database = {};
    QSqlDatabase::removeDatabase(m_connectionName);
}

int ConversationStore::schemaVersion() const
{
    QSqlQuery query = runQuery(m_database, QStringLiteral("PRAGMA user_version"));
    return query.next() ? query.value(0).toInt() : 0;
}

void ConversationStore::transaction(const std::function<void()>& work)
{
    if (m_transactionDepth > 0) {
        work();
        return;
    }
    if (!m_database.transaction()) {
        throw StoreError(QStringLiteral("Database error: %1").arg(m_database.lastError().text()));
    }
    ++m_transactionDepth;
    try {
        work();
    } catch (...) {
        --m_transactionDepth;
        m_database.rollback();
        throw;
    }
    --m_transactionDepth;
    if (const int injected = core::faultPoint("store.before_commit")) {
        m_database.rollback();
        throw StoreError(QStringLiteral("Database error: %1").arg(QString::fromLocal8Bit(std::strerror(injected))));
    }
    if (!m_database.commit()) {
        const QString error = m_database.lastError().text();
        m_database.rollback();
        throw StoreError(QStringLiteral("Database error: %1").arg(error));
    }
    core::faultPoint("store.committed");
}

qint64 ConversationStore::createConversation(const QString& title)
{
    qint64 id = 0;
    transaction([&] {
        const qint64 time = now();
        QSqlQuery query = runQuery(
            m_database, QStringLiteral("INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)"),
            {title, time, time});
        id = query.lastInsertId().toLongLong();
    });
    return id;
}

void ConversationStore::renameConversation(qint64 id, const QString& title)
{
    transaction([&] { runQuery(m_database, QStringLiteral("UPDATE conversations SET title = ? WHERE id = ?"), {title, id}); });
}

void ConversationStore::deleteConversation(qint64 id)
{
    transaction([&] {
        runQuery(m_database, QStringLiteral("DELETE FROM conversations WHERE id = ?"), {id});
    });
    removeUnusedImages();
}

QList<ConversationSummary> ConversationStore::conversations(const QString& filter) const
{
    const QString columns = QStringLiteral("SELECT id, title, created_at, updated_at, model_name FROM conversations ");
    const QString order = QStringLiteral(" ORDER BY updated_at DESC, id DESC");
    QSqlQuery query = filter.trimmed().isEmpty()
        ? runQuery(m_database, columns + order)
        : runQuery(m_database,
                   columns + QStringLiteral("WHERE title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
                                            "WHERE m.conversation_id = conversations.id AND m.text LIKE ? ESCAPE '\\')")
                       + order,
                   {likePattern(filter.trimmed()), likePattern(filter.trimmed())});
    QList<ConversationSummary> result;
    while (query.next()) {
        result.append(summaryFrom(query));
    }
    return result;
}

std::optional<ConversationSummary> ConversationStore::conversation(qint64 id) const
{
    QSqlQuery query = runQuery(
        m_database, QStringLiteral("SELECT id, title, created_at, updated_at, model_name FROM conversations WHERE id = ?"), {id});
    if (!query.next()) {
        return std::nullopt;
    }
    return summaryFrom(query);
}

QJsonObject ConversationStore::conversationOverrides(qint64 id) const
{
    QSqlQuery query = runQuery(m_database, QStringLiteral("SELECT settings_json FROM conversations WHERE id = ?"), {id});
    if (!query.next() || query.value(0).isNull()) {
        return {};
    }
    return QJsonDocument::fromJson(query.value(0).toString().toUtf8()).object();
}

void ConversationStore::setConversationOverrides(qint64 id, const QJsonObject& overrides)
{
    transaction([&] {
        runQuery(m_database, QStringLiteral("UPDATE conversations SET settings_json = ? WHERE id = ?"),
                 {overrides.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : jsonColumn(overrides), id});
    });
}

void ConversationStore::setConversationModel(qint64 id, const QString& modelName)
{
    transaction([&] {
        runQuery(m_database, QStringLiteral("UPDATE conversations SET model_name = ? WHERE id = ?"), {modelName, id});
    });
}

QList<ChatMessage> ConversationStore::messages(qint64 conversationId) const
{
    QSqlQuery query = runQuery(m_database,
                               QStringLiteral("SELECT id, role, text, state, error, stats_json, created_at, "
                                              "EXISTS (SELECT 1 FROM answer_attention a WHERE a.message_id = messages.id) "
                                              "FROM messages WHERE conversation_id = ? ORDER BY id"),
                               {conversationId});
    QList<ChatMessage> result;
    while (query.next()) {
        ChatMessage message;
        message.id = query.value(0).toLongLong();
        message.conversationId = conversationId;
        message.role = query.value(1).toString();
        message.text = query.value(2).toString();
        message.state = messageStateFromName(query.value(3).toString());
        message.error = query.value(4).toString();
        if (!query.value(5).isNull()) {
            message.stats = statsFromJson(QJsonDocument::fromJson(query.value(5).toString().toUtf8()).object());
        }
        message.created = QDateTime::fromMSecsSinceEpoch(query.value(6).toLongLong());
        message.hasAttention = query.value(7).toBool();
        result.append(message);
    }
    QSqlQuery images = runQuery(m_database,
                                QStringLiteral("SELECT mi.message_id, i.hash, i.file_name FROM message_images mi "
                                               "JOIN images i ON i.hash = mi.image_hash JOIN messages m ON m.id = mi.message_id "
                                               "WHERE m.conversation_id = ? ORDER BY mi.message_id, mi.position"),
                                {conversationId});
    while (images.next()) {
        for (ChatMessage& message : result) {
            if (message.id == images.value(0).toLongLong()) {
                message.imageHashes.append(images.value(1).toString());
                message.imagePaths.append(QDir(m_imageDirectory).filePath(images.value(2).toString()));
            }
        }
    }
    return result;
}

void ConversationStore::addMessage(ChatMessage& message)
{
    transaction([&] {
        const qint64 time = now();
        QSqlQuery query = runQuery(
            m_database,
            QStringLiteral("INSERT INTO messages (conversation_id, role, text, state, error, stats_json, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)"),
            {message.conversationId, message.role, notNull(message.text), messageStateName(message.state), message.error,
             message.stats ? jsonColumn(statsToJson(*message.stats)) : QVariant(QMetaType::fromType<QString>()), time});
        message.id = query.lastInsertId().toLongLong();
        message.created = QDateTime::fromMSecsSinceEpoch(time);
        message.imagePaths.clear();
        for (qsizetype i = 0; i < message.imageHashes.size(); ++i) {
            runQuery(m_database,
                     QStringLiteral("INSERT INTO message_images (message_id, position, image_hash) VALUES (?, ?, ?)"),
                     {message.id, static_cast<int>(i), message.imageHashes.at(i)});
            message.imagePaths.append(imagePath(message.imageHashes.at(i)));
        }
        touch(message.conversationId);
    });
}

void ConversationStore::updateMessage(const ChatMessage& message)
{
    transaction([&] {
        runQuery(m_database, QStringLiteral("UPDATE messages SET text = ?, state = ?, error = ?, stats_json = ? WHERE id = ?"),
                 {notNull(message.text), messageStateName(message.state), message.error,
                  message.stats ? jsonColumn(statsToJson(*message.stats)) : QVariant(QMetaType::fromType<QString>()),
                  message.id});
        touch(message.conversationId);
    });
}

void ConversationStore::deleteMessagesFrom(qint64 conversationId, qint64 firstMessageId)
{
    transaction([&] {
        runQuery(m_database, QStringLiteral("DELETE FROM messages WHERE conversation_id = ? AND id >= ?"),
                 {conversationId, firstMessageId});
    });
    removeUnusedImages();
}

QString ConversationStore::importImage(const QByteArray& encodedImage)
{
    QBuffer buffer;
    buffer.setData(encodedImage);
    QImageReader reader(&buffer);
    const QByteArray format = reader.format();
    if (format.isEmpty() || !reader.canRead()) {
        throw StoreError(QStringLiteral("The attached data is not an image this build can read."));
    }
    const QString hash = QString::fromLatin1(QCryptographicHash::hash(encodedImage, QCryptographicHash::Sha256).toHex());
    QSqlQuery existing = runQuery(m_database, QStringLiteral("SELECT file_name FROM images WHERE hash = ?"), {hash});
    if (existing.next() && QFileInfo::exists(QDir(m_imageDirectory).filePath(existing.value(0).toString()))) {
        return hash;
    }
    const QString fileName = hash + QLatin1Char('.') + QString::fromLatin1(format);
    // The file is complete on disk before a row names it (a crash in between leaves a stray file).
    try {
        core::replaceFileDurably(QFile::encodeName(QDir(m_imageDirectory).filePath(fileName)).toStdString(),
                                 std::string_view(encodedImage.constData(), static_cast<size_t>(encodedImage.size())));
    } catch (const core::Error& error) {
        throw StoreError(QStringLiteral("Cannot save the image into %1: %2").arg(m_imageDirectory, QString::fromUtf8(error.what())));
    }
    core::faultPoint("store.image_written");
    transaction([&] {
        runQuery(m_database,
                 QStringLiteral("INSERT OR REPLACE INTO images (hash, file_name, byte_size, created_at) VALUES (?, ?, ?, ?)"),
                 {hash, fileName, encodedImage.size(), now()});
    });
    return hash;
}

QString ConversationStore::imagePath(const QString& hash) const
{
    QSqlQuery query = runQuery(m_database, QStringLiteral("SELECT file_name FROM images WHERE hash = ?"), {hash});
    return query.next() ? QDir(m_imageDirectory).filePath(query.value(0).toString()) : QString();
}

void ConversationStore::touch(qint64 conversationId)
{
    runQuery(m_database, QStringLiteral("UPDATE conversations SET updated_at = ? WHERE id = ?"), {now(), conversationId});
}

void ConversationStore::removeUnusedImages()
{
    QStringList files;
    transaction([&] {
        QSqlQuery unused = runQuery(m_database, QStringLiteral("SELECT file_name FROM images WHERE hash NOT IN "
                                                               "(SELECT image_hash FROM message_images)"));
        while (unused.next()) {
            files.append(unused.value(0).toString());
        }
        runQuery(m_database,
                 QStringLiteral("DELETE FROM images WHERE hash NOT IN (SELECT image_hash FROM message_images)"));
    });
    // Files go after the rows are committed: a crash in between leaves a stray file, never a row
    // pointing at nothing.
    for (const QString& file : files) {
        QFile::remove(QDir(m_imageDirectory).filePath(file));
    }
}

} // namespace vora::app
