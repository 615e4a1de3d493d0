#pragma once
// The Chat page of the window: the conversation sidebar beside the chat area (model header, error
// banner, the conversation or the welcome page, the composer in the same readable column). Keeps the
// widgets in step with the model's state and the controller's: placeholder text, what can be sent,
// why regenerate and edit wait, the context meter. Dialogs and menus are the window's. GUI thread only.
#include <QWidget>

class QStackedWidget;

namespace vora::app {
class ContextMeter;
class ConversationController;
class ModelHost;
class RecentModelsModel;
}

namespace vora::ui {

class ChatView;
class CodeHighlighting;
class ComposerWidget;
class ConversationSidebar;
class ErrorBanner;
class ModelHeader;
class WelcomePage;

class ChatPage : public QWidget {
    Q_OBJECT
public:
    // Everything must outlive the page.
    ChatPage(vora::app::ConversationController* controller, vora::app::RecentModelsModel* recentModels,
             const CodeHighlighting* highlighting, QWidget* parent = nullptr);

    ConversationSidebar* sidebar() const { return m_sidebar; }
    ModelHeader* header() const { return m_header; }
    ErrorBanner* errorBanner() const { return m_banner; }
    ChatView* chatView() const { return m_chatView; }
    ComposerWidget* composer() const { return m_composer; }
    WelcomePage* welcomePage() const { return m_welcome; }
    vora::app::ContextMeter* contextMeter() const { return m_meter; }

Q_SIGNALS:
    void openModelRequested();
    void modelChosen(const QString& path);
    void settingsRequested();
    void imageRequested(const QString& path);

public:
    // Opens the attention viewer for the answer at row (nothing when it has no saved map); -1: the
    // latest answer that has one (Ctrl+Shift+A).
    void showAttention(int row);

private:
    QWidget* buildChatArea(const CodeHighlighting* highlighting, vora::app::RecentModelsModel* recentModels);
    void connectController();
    void updatePage();
    void updateComposer();
    void updateEmptyText();

    vora::app::ConversationController* m_controller;
    vora::app::ModelHost* m_host;
    vora::app::ContextMeter* m_meter;
    ConversationSidebar* m_sidebar = nullptr;
    ModelHeader* m_header = nullptr;
    ErrorBanner* m_banner = nullptr;
    QStackedWidget* m_stack = nullptr;
    WelcomePage* m_welcome = nullptr;
    ChatView* m_chatView = nullptr;
    ComposerWidget* m_composer = nullptr;
};

} // namespace vora::ui
