#pragma once
// The conversation list: New chat, a search field (titles and message text), and the list itself with
// rename (F2 or double-click), delete and export in its context menu. GUI thread only.
#include "app/storage/conversation_exporter.h"

#include <QWidget>

class QLineEdit;
class QListView;
class QPushButton;

namespace vora::app {
class ConversationListModel;
}

namespace vora::ui {

class ConversationSidebar : public QWidget {
    Q_OBJECT
public:
    // model must outlive the sidebar.
    explicit ConversationSidebar(vora::app::ConversationListModel* model, QWidget* parent = nullptr);

    void setCurrentConversation(qint64 conversationId);
    QListView* listView() const { return m_list; }
    QLineEdit* searchField() const { return m_search; }

Q_SIGNALS:
    void newChatRequested();
    void conversationChosen(qint64 conversationId);
    void deleteRequested(qint64 conversationId);
    void exportRequested(qint64 conversationId, vora::app::ExportFormat format);
    void filterChanged(const QString& filter);

private:
    void showContextMenu(const QPoint& position);
    qint64 idAt(const QModelIndex& index) const;

    vora::app::ConversationListModel* m_model;
    QPushButton* m_newChat;
    QLineEdit* m_search;
    QListView* m_list;
    qint64 m_current = 0;
};

} // namespace vora::ui
