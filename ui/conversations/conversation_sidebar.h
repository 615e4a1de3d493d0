#pragma once
// The conversation list: a header with New chat, a search field (titles and message text; Ctrl+K
// focuses it), and the list grouped by date with each chat's model and relative time, rename (F2 or
// double-click), delete and export in its context menu. Says "No matches" for a search that finds
// nothing. GUI thread only.
#include "app/storage/conversation_exporter.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;

namespace vora::app {
class ConversationListModel;
}

namespace vora::ui {

class IconButton;

class ConversationSidebar : public QWidget {
    Q_OBJECT
public:
    // model must outlive the sidebar.
    explicit ConversationSidebar(vora::app::ConversationListModel* model, QWidget* parent = nullptr);

    void setCurrentConversation(qint64 conversationId);
    QListView* listView() const { return m_list; }
    QLineEdit* searchField() const { return m_search; }
    QLabel* emptyLabel() const { return m_empty; }
    // Focuses the search field with its text selected (Ctrl+K).
    void focusSearch();

Q_SIGNALS:
    void newChatRequested();
    void conversationChosen(qint64 conversationId);
    void deleteRequested(qint64 conversationId);
    void exportRequested(qint64 conversationId, vora::app::ExportFormat format);
    void filterChanged(const QString& filter);

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void showContextMenu(const QPoint& position);
    void updateEmptyState();
    qint64 idAt(const QModelIndex& index) const;

    vora::app::ConversationListModel* m_model;
    IconButton* m_newChat;
    QLineEdit* m_search;
    QListView* m_list;
    QLabel* m_empty;
    qint64 m_current = 0;
};

} // namespace vora::ui
