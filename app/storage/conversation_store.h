#pragma once
// Conversations, messages, per-conversation settings and attached images, persisted in SQLite (WAL)
// through Qt SQL. Images are kept by content (SHA-256) as files in an image folder beside the
// database: the inference backend takes image file paths, identical images are stored once, and the
// database stays small so WAL checkpoints and backups stay cheap.
// Owns one connection: use it from the thread that created it (the GUI thread in the app).
// Every method throws StoreError on failure; nothing is half-written (each write is one transaction).
#include "app/attention/answer_attention.h"
#include "app/values/chat_message.h"
#include "app/values/conversation_settings.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <optional>

namespace vora::app {

class ConversationStore {
public:
    // The app's default folder (QStandardPaths::AppDataLocation); database "conversations.sqlite3"
    // and "images/" inside it.
    static QString defaultDirectory();
    static QString databasePathIn(const QString& directory);
    static QString imageDirectoryIn(const QString& directory);

    explicit ConversationStore(const QString& directory);
    ConversationStore(const QString& databasePath, const QString& imageDirectory);
    ~ConversationStore();
    ConversationStore(const ConversationStore&) = delete;
    ConversationStore& operator=(const ConversationStore&) = delete;

    QString databasePath() const { return m_databasePath; }
    int schemaVersion() const;

    qint64 createConversation(const QString& title);
    void renameConversation(qint64 id, const QString& title);
    void deleteConversation(qint64 id); // with its messages; images no message uses any more go too
    // Newest first. filter: case-insensitive substring of the title or of any message's text.
    QList<ConversationSummary> conversations(const QString& filter = {}) const;
    std::optional<ConversationSummary> conversation(qint64 id) const;
    // The chat's own settings: only the keys it overrides (json_codec.h); empty when it has none.
    QJsonObject conversationOverrides(qint64 id) const;
    void setConversationOverrides(qint64 id, const QJsonObject& overrides);
    // The model the conversation last talked to (its folder name), shown in the sidebar.
    void setConversationModel(qint64 id, const QString& modelName);

    QList<ChatMessage> messages(qint64 conversationId) const; // in conversation order
    // Inserts message (its imageHashes must come from importImage) and fills in id, created, imagePaths.
    void addMessage(ChatMessage& message);
    void updateMessage(const ChatMessage& message); // text, state, error, stats
    void deleteMessagesFrom(qint64 conversationId, qint64 firstMessageId); // that message and later ones

    // The answer's attention map (attention_codec.h's blob in answer_attention); replaces an earlier
    // one. It goes away with the message (regenerate, edit, delete). Image paths inside the image
    // folder are kept relative to it, so a moved store keeps its maps.
    void saveAttention(qint64 messageId, const AnswerAttention& attention);
    std::optional<AnswerAttention> attention(qint64 messageId) const; // nullopt: none saved
    bool hasAttention(qint64 messageId) const;

    // Stores the encoded image bytes (PNG, JPEG, ...) once per content; returns the SHA-256 hex.
    QString importImage(const QByteArray& encodedImage);
    QString imagePath(const QString& hash) const;

    // The store's connection, for the other tables of the same database (the job queue). Same thread.
    QSqlDatabase connection() const { return m_database; }

    // Runs work in one transaction: all of it is committed, or none (work's exception is rethrown).
    void transaction(const std::function<void()>& work);

private:
    void touch(qint64 conversationId);
    void removeUnusedImages();

    QString m_databasePath;
    QString m_imageDirectory;
    QString m_connectionName;
    QSqlDatabase m_database;
    int m_transactionDepth = 0;
};

} // namespace vora::app
