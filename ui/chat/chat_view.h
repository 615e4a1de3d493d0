#pragma once
// The open conversation: a scroll area of MessageWidgets kept in step with a MessageListModel (rows
// inserted, removed, changed, reset), in a centred column of readable width (kColumnWidth at most).
// Follows the end of a streaming answer while the user is at the bottom, and leaves the scroll
// position alone when they scrolled up. GUI thread only.
#include <QScrollArea>

class QLabel;
class QVBoxLayout;

namespace vora::app {
class MessageListModel;
}

namespace vora::ui {

class CodeHighlighting;
class MessageWidget;

class ChatView : public QScrollArea {
    Q_OBJECT
public:
    // model and highlighting must outlive the view.
    ChatView(vora::app::MessageListModel* model, const CodeHighlighting* highlighting, QWidget* parent = nullptr);

    static constexpr int kColumnWidth = 780;

    // Why regenerate and edit cannot act now (no model, an answer in flight); empty: they can.
    void setActionsBlocked(const QString& reason);
    MessageWidget* messageWidget(int row) const;
    void setEmptyText(const QString& text);

Q_SIGNALS:
    void regenerateRequested(int row);
    void editRequested(int row, const QString& text);
    void imageRequested(const QString& path);
    void attentionRequested(int row);

private:
    void insertRows(int first, int last);
    void removeRows(int first, int last);
    void updateRows(int first, int last);
    void rebuild();
    void followEnd();
    void updateLastMessage();
    int rowOf(const MessageWidget* widget) const;

    vora::app::MessageListModel* m_model;
    const CodeHighlighting* m_highlighting;
    QWidget* m_content;
    QWidget* m_column;
    QVBoxLayout* m_layout;
    QLabel* m_empty;
    QList<MessageWidget*> m_widgets;
    QString m_blockedReason;
    bool m_stickToEnd = true;
};

} // namespace vora::ui
