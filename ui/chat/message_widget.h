#pragma once
// One message of the chat view: who said it, attached images, the text (markdown for answers), its
// state (streaming, stopped, failed with details), statistics, and the per-message actions: copy,
// regenerate (answers), edit and resend (your messages). GUI thread only.
#include "app/values/chat_message.h"

#include <QFrame>

class QHBoxLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QWidget;

namespace vora::ui {

class AutoHeightTextBrowser;
class CodeHighlighting;
class MarkdownView;

class MessageWidget : public QFrame {
    Q_OBJECT
public:
    MessageWidget(const CodeHighlighting* highlighting, QWidget* parent = nullptr);

    void setMessage(const vora::app::ChatMessage& message);
    // While any answer streams, regenerate and edit wait.
    void setActionsEnabled(bool enabled);
    const vora::app::ChatMessage& message() const { return m_message; }

Q_SIGNALS:
    void regenerateRequested();
    void editSubmitted(const QString& text);

private:
    QWidget* buildActions();
    QWidget* buildEditor();
    void updateImages();
    void updateStatus();
    void startEditing();

    const CodeHighlighting* m_highlighting;
    vora::app::ChatMessage m_message;
    QLabel* m_author;
    QLabel* m_state;
    QHBoxLayout* m_images;
    MarkdownView* m_markdown = nullptr;
    AutoHeightTextBrowser* m_plain = nullptr;
    QLabel* m_error;
    QLabel* m_stats;
    QPushButton* m_copy = nullptr;
    QPushButton* m_regenerate = nullptr;
    QPushButton* m_edit = nullptr;
    QWidget* m_editor = nullptr;
    QPlainTextEdit* m_editText = nullptr;
    QStringList m_shownImages;
};

} // namespace vora::ui
