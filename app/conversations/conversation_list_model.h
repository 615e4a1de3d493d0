#pragma once
// The conversations in the sidebar, newest first, narrowed by a search filter (title or message text),
// each with the model it last talked to, its date group and a relative time (conversation_dates.h).
// Editing the title renames the conversation in the store; a store that cannot be read is reported
// (refreshFailed), never shown as an empty list. GUI thread only.
#include "app/values/chat_message.h"

#include <QAbstractListModel>

namespace vora::app {

class ConversationStore;

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { IdRole = Qt::UserRole + 1, TitleRole, UpdatedRole, ModelNameRole, DateGroupRole, RelativeTimeRole };

    // store must outlive the model.
    explicit ConversationListModel(ConversationStore* store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString filter() const { return m_filter; }
    void setFilter(const QString& filter);
    // Re-reads the store; keeps rows that did not move (a plain update is a dataChanged).
    void refresh();
    int rowOf(qint64 conversationId) const; // -1 when absent (or filtered out)
    // Why the last refresh could not read the store (empty after a good one). The constructor's
    // first refresh reports only here: nothing is connected yet.
    QString lastError() const { return m_lastError; }
    // The time date groups and relative times are measured from (default: the current time).
    void setNow(const QDateTime& now) { m_now = now; }

Q_SIGNALS:
    void renameFailed(const QString& message);
    void refreshFailed(const QString& message); // the rows shown are those of the last good refresh

private:
    ConversationStore* m_store;
    QString m_filter;
    QList<ConversationSummary> m_rows;
    QString m_lastError;
    QDateTime m_now;
};

} // namespace vora::app
