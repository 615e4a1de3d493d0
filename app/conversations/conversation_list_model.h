#pragma once
// The conversations in the sidebar, newest first, narrowed by a search filter (title or message text).
// Editing the title renames the conversation in the store. GUI thread only.
#include "app/values/chat_message.h"

#include <QAbstractListModel>

namespace vora::app {

class ConversationStore;

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role { IdRole = Qt::UserRole + 1, TitleRole, UpdatedRole };

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

Q_SIGNALS:
    void renameFailed(const QString& message);

private:
    ConversationStore* m_store;
    QString m_filter;
    QList<ConversationSummary> m_rows;
};

} // namespace vora::app
