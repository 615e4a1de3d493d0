#pragma once
// The application window: conversation sidebar, chat area and composer, menus and status bar.
// GUI thread only.
#include <QMainWindow>

class QLabel;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QStackedWidget;

namespace vora::app {
class RecentModelsModel;
}

namespace vora::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // settings must outlive the window.
    explicit MainWindow(QSettings* settings, QWidget* parent = nullptr);
    ~MainWindow() override;

Q_SIGNALS:
    // The user chose a model folder to open (from the dialog or the recent list).
    void modelFolderChosen(const QString& path);

private:
    QWidget* buildSidebar();
    QWidget* buildWelcomePage();
    QWidget* buildComposer();
    void buildMenus();
    void chooseModelFolder();
    void showAbout();

    QSettings* m_settings;
    vora::app::RecentModelsModel* m_recentModels = nullptr;
    QStackedWidget* m_pages = nullptr;
    QListView* m_recentView = nullptr;
    QPlainTextEdit* m_composerEdit = nullptr;
    QPushButton* m_sendButton = nullptr;
    QLabel* m_deviceLabel = nullptr;
};

} // namespace vora::ui
