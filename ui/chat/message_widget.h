#pragma once
// One message of the chat view. Yours: a tinted bubble on the right with your images (click one for
// the image viewer) and text. The model's: on the left under a small avatar, its markdown answer, its
// state (writing, stopped, failed with the reason), a notice (e.g. a shortened token budget), and its
// statistics with the stop reason in words. Actions as icon buttons under it: copy, regenerate (answers),
// edit and resend (yours); shown on hover or keyboard focus, always for the last message; disabled with
// the reason in the tooltip when they cannot work. GUI thread only.
#include "app/values/chat_message.h"

#include <QFrame>

class QHBoxLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QVBoxLayout;
class QWidget;

namespace vora::ui {

class CodeHighlighting;
class IconButton;
class MarkdownView;

class MessageWidget : public QFrame {
    Q_OBJECT
public:
    MessageWidget(const CodeHighlighting* highlighting, QWidget* parent = nullptr);

    void setMessage(const vora::app::ChatMessage& message);
    // Regenerate and edit need a loaded, idle model; reason says why they wait (empty: enabled).
    void setActionsBlocked(const QString& reason);
    // The last message shows its actions without hovering.
    void setActionsAlwaysShown(bool shown);
    const vora::app::ChatMessage& message() const { return m_message; }
    bool actionsRevealed() const;

Q_SIGNALS:
    void regenerateRequested();
    void attentionRequested(); // "where the model looked" for this answer (it has a saved map)
    void editSubmitted(const QString& text);
    void imageClicked(const QString& path);

protected:
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void build(bool assistant);
    QWidget* buildActions();
    QWidget* buildEditor();
    void updateImages();
    void updateStatus();
    void updateActionVisibility();
    void fitBubble();
    void startEditing();

    const CodeHighlighting* m_highlighting;
    vora::app::ChatMessage m_message;
    bool m_built = false;
    bool m_hovered = false;
    bool m_alwaysShown = false;
    QString m_blockedReason;
    QWidget* m_bubble = nullptr;       // yours: the tinted bubble
    QLabel* m_author = nullptr;
    QLabel* m_state = nullptr;
    QHBoxLayout* m_images = nullptr;
    MarkdownView* m_markdown = nullptr;
    QLabel* m_plain = nullptr;
    QLabel* m_notice = nullptr;
    QLabel* m_error = nullptr;
    QLabel* m_stats = nullptr;
    IconButton* m_copy = nullptr;
    IconButton* m_regenerate = nullptr;
    IconButton* m_attention = nullptr;
    IconButton* m_edit = nullptr;
    QWidget* m_editor = nullptr;
    QPlainTextEdit* m_editText = nullptr;
    QStringList m_shownImages;
};

// The stop reason in words: "end of answer", "length limit", "stop string", "stopped".
QString stopReasonText(vora::core::StopReason reason);

} // namespace vora::ui
