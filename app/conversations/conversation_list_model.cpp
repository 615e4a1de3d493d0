#include "app/conversations/conversation_list_model.h"

#include "app/conversations/conversation_dates.h"
#include "app/storage/conversation_store.h"

#include <exception>

namespace vora::app {

ConversationListModel::ConversationListModel(ConversationStore* store, QObject* parent)
    : QAbstractListModel(parent)
    , m_store(store)
{
    refresh();
}

int ConversationListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const ConversationSummary& row = m_rows.at(index.row());
    const QDateTime now = m_now.isValid() ? m_now : QDateTime::currentDateTime();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
    case TitleRole: return row.title;
    case Qt::ToolTipRole:
        return row.modelName.isEmpty()
            ? tr("%1\nLast message %2").arg(row.title, QLocale().toString(row.updated, QLocale::ShortFormat))
            : tr("%1\nLast message %2 with %3")
                  .arg(row.title, QLocale().toString(row.updated, QLocale::ShortFormat), row.modelName);
    case IdRole: return row.id;
    case UpdatedRole: return row.updated;
    case ModelNameRole: return row.modelName;
    case DateGroupRole: return dateGroupLabel(row.updated, now);
    case RelativeTimeRole: return relativeTimeLabel(row.updated, now);
    default: return {};
    }
}

bool ConversationListModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)
        || (role != Qt::EditRole && role != TitleRole)) {
        return false;
    }
    const QString title = value.toString().simplified();
    if (title.isEmpty() || title == m_rows.at(index.row()).title) {
        return false;
    }
    try {
        m_store->renameConversation(m_rows.at(index.row()).id, title);
    } catch (const std::exception& error) {
        Q_EMIT renameFailed(QString::fromUtf8(error.what()));
        return false;
    }
    m_rows[index.row()].title = title;
    Q_EMIT dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole, TitleRole});
    return true;
}

Qt::ItemFlags ConversationListModel::flags(const QModelIndex& index) const
{
    return QAbstractListModel::flags(index) | (index.isValid() ? Qt::ItemIsEditable : Qt::NoItemFlags);
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    return {{IdRole, "conversationId"}, {TitleRole, "title"},         {UpdatedRole, "updated"},
            {ModelNameRole, "modelName"},   {DateGroupRole, "dateGroup"}, {RelativeTimeRole, "relativeTime"}};
}

void ConversationListModel::setFilter(const QString& filter)
{
    if (filter == m_filter) {
        return;
    }
    m_filter = filter;
    refresh();
}

void ConversationListModel::refresh()
{
    QList<ConversationSummary> rows;
    try {
        rows = m_store->conversations(m_filter);
    } catch (const std::exception& error) {
        // The rows shown stay as they were: an unreadable store must not look like an empty one.
        m_lastError = QString::fromUtf8(error.what());
        Q_EMIT refreshFailed(m_lastError);
        return;
    }
    m_lastError.clear();
    bool sameOrder = rows.size() == m_rows.size();
    for (qsizetype i = 0; sameOrder && i < rows.size(); ++i) {
        sameOrder = rows.at(i).id == m_rows.at(i).id;
    }
    if (!sameOrder) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
        return;
    }
    m_rows = rows;
    if (!m_rows.isEmpty()) {
        Q_EMIT dataChanged(index(0), index(static_cast<int>(m_rows.size()) - 1));
    }
}

int ConversationListModel::rowOf(qint64 conversationId) const
{
    for (qsizetype row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == conversationId) {
            return static_cast<int>(row);
        }
    }
    return -1;
}

} // namespace vora::app
