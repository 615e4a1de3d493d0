#pragma once
// The messages of the open conversation, for the chat view. GUI thread only; the ChatController is
// the only writer.
#include "app/values/chat_message.h"

#include <QAbstractListModel>

namespace vora::app {

class MessageListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        RoleRole,        // "user" | "assistant" | "system"
        TextRole,
        StateRole,       // MessageState as int
        ErrorRole,
        ImagePathsRole,  // QStringList
        StatsRole,       // GenerationStats, invalid QVariant when none
        CreatedRole,
    };

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setMessages(const QList<ChatMessage>& messages);
    void append(const ChatMessage& message);
    void replace(int row, const ChatMessage& message);
    void appendText(int row, const QString& text);
    void removeFrom(int row); // that row and all later ones

    const ChatMessage& at(int row) const { return m_messages.at(row); }
    int rowOf(qint64 messageId) const; // -1 when absent
    const QList<ChatMessage>& messages() const { return m_messages; }

private:
    QList<ChatMessage> m_messages;
};

} // namespace vora::app
