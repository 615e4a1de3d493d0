#pragma once
// The application window: a navigation rail (Chat, and Fine-tune when the window is given a job queue;
// further pages such as the attention viewer are added with addPage), the pages, menus, and the status bar (the ready
// model, the speed of the last answer, notices). Opens the window's dialogs: chat settings,
// preferences, the image viewer, delete confirmation, export. GUI thread only.
#include "app/inference/chat_backend.h"
#include "app/storage/conversation_exporter.h"
#include "ui/finetune/finetune_context.h"

#include <optional>

#include <QMainWindow>

class QLabel;
class QStackedWidget;

namespace vora::app {
class AppSettings;
class ConversationController;
class ModelHost;
class RecentModelsModel;
}

namespace vora::ui {

class ChatPage;
class ChatView;
class CodeHighlighting;
class ComposerWidget;
class ErrorBanner;
class FinetunePanel;
class NavRail;

struct MainWindowContext {
    vora::app::AppSettings* appSettings = nullptr;               // preferences, recent models, the last session
    vora::app::ConversationController* controller = nullptr;     // and through it the ModelHost
    const CodeHighlighting* highlighting = nullptr;              // the app's one syntax repository
    // The Fine-tune page's needs (its recentModels is the window's own); none: no Fine-tune page.
    std::optional<FinetuneContext> finetune;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Everything in context must outlive the window.
    explicit MainWindow(const MainWindowContext& context, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Adds a page to the rail and the window; returns its index.
    int addPage(const QString& iconName, const QString& title, QWidget* page);

    ChatPage* chatPage() const { return m_chatPage; }
    ErrorBanner* errorBanner() const;
    ComposerWidget* composer() const;
    ChatView* chatView() const;
    NavRail* navRail() const { return m_rail; }
    FinetunePanel* finetunePanel() const { return m_finetunePanel; } // null without a job queue

    void showChatSettings();
    void showPreferences();
    void showImage(const QString& path);
    // Asks "Delete …?" with Delete and Cancel; deletes on Delete.
    void confirmDelete(qint64 conversationId);

Q_SIGNALS:
    // The user chose a model folder to open (from the dialog, the picker or the recent list).
    void modelFolderChosen(const QString& path);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void chooseModelFolder();
    void showAbout();
    void exportConversation(qint64 conversationId, vora::app::ExportFormat format);
    void updateModelStatus();
    void updateTitle();
    void onGenerationFinished(const vora::core::GenerationStats& stats);

    MainWindowContext m_context;
    vora::app::ConversationController* m_controller;
    vora::app::ModelHost* m_host;
    vora::app::RecentModelsModel* m_recentModels;
    NavRail* m_rail = nullptr;
    QStackedWidget* m_pages = nullptr;
    ChatPage* m_chatPage = nullptr;
    FinetunePanel* m_finetunePanel = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_speedLabel = nullptr;
};

} // namespace vora::ui
