#include "app/chat/message_list_model.h"

namespace vora::app {

int MessageListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_messages.size());
}

QVariant MessageListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const ChatMessage& message = m_messages.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TextRole: return message.text;
    case IdRole: return message.id;
    case RoleRole: return message.role;
    case StateRole: return static_cast<int>(message.state);
    case ErrorRole: return message.error;
    case ImagePathsRole: return message.imagePaths;
    case StatsRole: return message.stats ? QVariant::fromValue(*message.stats) : QVariant();
    case CreatedRole: return message.created;
    default: return {};
    }
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
    return {{IdRole, "messageId"}, {RoleRole, "role"},     {TextRole, "text"},   {StateRole, "state"},
            {ErrorRole, "error"},  {ImagePathsRole, "images"}, {StatsRole, "stats"}, {CreatedRole, "created"}};
}

void MessageListModel::setMessages(const QList<ChatMessage>& messages)
{
    beginResetModel();
    m_messages = messages;
    endResetModel();
}

void MessageListModel::append(const ChatMessage& message)
{
    const int row = static_cast<int>(m_messages.size());
    beginInsertRows({}, row, row);
    m_messages.append(message);
    endInsertRows();
}

void MessageListModel::replace(int row, const ChatMessage& message)
{
    Q_ASSERT(row >= 0 && row < m_messages.size());
    m_messages[row] = message;
    Q_EMIT dataChanged(index(row), index(row));
}

void MessageListModel::appendText(int row, const QString& text)
{
    Q_ASSERT(row >= 0 && row < m_messages.size());
    m_messages[row].text += text;
    Q_EMIT dataChanged(index(row), index(row), {TextRole, Qt::DisplayRole});
}

void MessageListModel::removeFrom(int row)
{
    const int last = static_cast<int>(m_messages.size()) - 1;
    if (row < 0 || row > last) {
        return;
    }
    beginRemoveRows({}, row, last);
    m_messages.resize(row);
    endRemoveRows();
}

int MessageListModel::rowOf(qint64 messageId) const
{
    for (qsizetype row = 0; row < m_messages.size(); ++row) {
        if (m_messages.at(row).id == messageId) {
            return static_cast<int>(row);
        }
    }
    return -1;
}

} // namespace vora::app
