#pragma once
// The application window: conversation sidebar, error banner, chat view (or the welcome page),
// composer, menus and status bar (model, loading progress, speed of the last answer).
// It shows the state of the ModelHost (the model) and of the ConversationController (the chat) and
// forwards the user's requests to them. GUI thread only.
#include "app/inference/chat_backend.h"
#include "app/storage/conversation_exporter.h"

#include <QMainWindow>

class QLabel;
class QProgressBar;
class QSettings;
class QStackedWidget;

namespace vora::app {
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
class WelcomePage;

struct MainWindowContext {
    QSettings* settings = nullptr;                 // recent models, window geometry
    vora::app::ConversationController* controller = nullptr; // and through it the ModelHost
    const CodeHighlighting* highlighting = nullptr; // the app's one syntax repository
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Everything in context must outlive the window.
    explicit MainWindow(const MainWindowContext& context, QWidget* parent = nullptr);
    ~MainWindow() override;

    ErrorBanner* errorBanner() const { return m_banner; }
    ComposerWidget* composer() const { return m_composer; }
    ChatView* chatView() const { return m_chatView; }

Q_SIGNALS:
    // The user chose a model folder to open (from the dialog or the recent list).
    void modelFolderChosen(const QString& path);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QWidget* buildChatArea();
    void buildMenus();
    void buildStatusBar();
    void connectController();
    void connectModelHost();
    void chooseModelFolder();
    void showAbout();
    void showSettings();
    void exportConversation(qint64 conversationId, vora::app::ExportFormat format);
    void updatePage();
    void updateComposer();
    void onModelLoaded(const vora::app::ModelInfo& info);
    void onGenerationFinished(const vora::core::GenerationStats& stats);

    MainWindowContext m_context;
    vora::app::ConversationController* m_controller;
    vora::app::ModelHost* m_host;
    vora::app::RecentModelsModel* m_recentModels;
    ConversationSidebar* m_sidebar = nullptr;
    ErrorBanner* m_banner = nullptr;
    QStackedWidget* m_pages = nullptr;
    WelcomePage* m_welcome = nullptr;
    ChatView* m_chatView = nullptr;
    ComposerWidget* m_composer = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_speedLabel = nullptr;
    QProgressBar* m_loadProgress = nullptr;
};

} // namespace vora::ui
