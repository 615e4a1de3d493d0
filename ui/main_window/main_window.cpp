#include "ui/main_window/main_window.h"

#include "app/chat/conversation_controller.h"
#include "app/conversations/conversation_list_model.h"
#include "app/models/recent_models_model.h"
#include "app/runtime_summary.h"
#include "app/settings/app_settings.h"
#include "app/storage/conversation_store.h"
#include "ui/chat/chat_view.h"
#include "ui/common/app_icon.h"
#include "ui/common/dialog_buttons.h"
#include "ui/common/error_banner.h"
#include "ui/common/icons.h"
#include "ui/composer/composer_widget.h"
#include "ui/composer/image_mime.h"
#include "ui/composer/image_viewer_dialog.h"
#include "ui/conversations/conversation_sidebar.h"
#include "ui/finetune/finetune_panel.h"
#include "ui/main_window/chat_page.h"
#include "ui/main_window/nav_rail.h"
#include "ui/settings/chat_settings_dialog.h"
#include "ui/settings/preferences_dialog.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>

namespace vora::ui {

using vora::app::ConversationController;
using vora::app::ModelHost;

MainWindow::MainWindow(const MainWindowContext& context, QWidget* parent)
    : QMainWindow(parent)
    , m_context(context)
    , m_controller(context.controller)
    , m_host(context.controller->host())
    , m_recentModels(new vora::app::RecentModelsModel(context.appSettings->storage(), this))
{
    setWindowIcon(appIcon());
    setAcceptDrops(true);
    resize(1240, 800);
    m_host->setLoadOptions(context.appSettings->loadOptions());

    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_rail = new NavRail(central);
    m_pages = new QStackedWidget(central);
    layout->addWidget(m_rail);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);
    m_chatPage = new ChatPage(m_controller, m_recentModels, context.highlighting, m_pages);
    addPage(QStringLiteral("chat"), tr("Chat"), m_chatPage);
    connect(m_rail, &NavRail::pageChosen, m_pages, &QStackedWidget::setCurrentIndex);
    if (context.finetune) {
        FinetuneContext finetune = *context.finetune;
        finetune.recentModels = m_recentModels;
        m_finetunePanel = new FinetunePanel(finetune, m_pages);
        addPage(QStringLiteral("finetune"), tr("Fine-tune"), m_finetunePanel);
        // "Chat with it": the merged model opens in the chat like any chosen folder.
        connect(m_finetunePanel, &FinetunePanel::chatRequested, this, [this](const QString& modelDir) {
            m_rail->setCurrentPage(0);
            m_pages->setCurrentWidget(m_chatPage);
            Q_EMIT modelFolderChosen(modelDir);
        });
    }
    connect(m_rail, &NavRail::preferencesRequested, this, &MainWindow::showPreferences);

    connect(m_chatPage, &ChatPage::openModelRequested, this, &MainWindow::chooseModelFolder);
    connect(m_chatPage, &ChatPage::modelChosen, this, &MainWindow::modelFolderChosen);
    connect(m_chatPage, &ChatPage::settingsRequested, this, &MainWindow::showChatSettings);
    connect(m_chatPage, &ChatPage::imageRequested, this, &MainWindow::showImage);
    ConversationSidebar* sidebar = m_chatPage->sidebar();
    connect(sidebar, &ConversationSidebar::deleteRequested, this, &MainWindow::confirmDelete);
    connect(sidebar, &ConversationSidebar::exportRequested, this, &MainWindow::exportConversation);
    connect(m_controller->conversations(), &vora::app::ConversationListModel::renameFailed, this,
            [this](const QString& message) { errorBanner()->showError(tr("Could not rename the conversation"), message); });
    connect(m_controller->conversations(), &vora::app::ConversationListModel::refreshFailed, this,
            [this](const QString& message) { errorBanner()->showError(tr("Could not read the conversations"), message); });
    if (const QString error = m_controller->conversations()->lastError(); !error.isEmpty()) {
        errorBanner()->showError(tr("Could not read the conversations"), error);
    }
    connect(m_controller, &ConversationController::currentConversationChanged, this, &MainWindow::updateTitle);
    connect(m_controller, &ConversationController::generationFinished, this, &MainWindow::onGenerationFinished);
    connect(m_controller, &ConversationController::budgetClamped, this,
            [this](const QString& notice) { statusBar()->showMessage(notice, 8000); });
    connect(this, &MainWindow::modelFolderChosen, m_host, &ModelHost::loadModel);
    connect(m_host, &ModelHost::stateChanged, this, &MainWindow::updateModelStatus);
    connect(m_host, &ModelHost::loaded, this, [this](const vora::app::ModelInfo& info) {
        m_recentModels->touch(info.path);
        updateModelStatus();
        statusBar()->showMessage(tr("Model loaded in %1 s.").arg(info.loadSeconds, 0, 'f', 1), 5000);
    });
    connect(context.appSettings, &vora::app::AppSettings::loadOptionsChanged, this,
            [this] { m_host->setLoadOptions(m_context.appSettings->loadOptions()); });

    buildMenus();
    buildStatusBar();
    updateModelStatus();
    updateTitle();
}

MainWindow::~MainWindow() = default;

int MainWindow::addPage(const QString& iconName, const QString& title, QWidget* page)
{
    m_pages->addWidget(page);
    return m_rail->addPage(iconName, title);
}

ErrorBanner* MainWindow::errorBanner() const
{
    return m_chatPage->errorBanner();
}

ComposerWidget* MainWindow::composer() const
{
    return m_chatPage->composer();
}

ChatView* MainWindow::chatView() const
{
    return m_chatPage->chatView();
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(themedIcon(QStringLiteral("folder-open")), tr("&Open Model Folder…"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, &MainWindow::chooseModelFolder);
    QAction* eject = file->addAction(themedIcon(QStringLiteral("eject")), tr("&Eject Model"));
    connect(eject, &QAction::triggered, m_host, &ModelHost::ejectModel);
    connect(m_host, &ModelHost::stateChanged, eject, [this, eject] { eject->setEnabled(m_host->state() != ModelHost::ModelState::None); });
    eject->setEnabled(false);
    file->addSeparator();
    QAction* exportMarkdown = file->addAction(tr("Export Chat as &Markdown…"));
    connect(exportMarkdown, &QAction::triggered, this,
            [this] { exportConversation(m_controller->currentConversationId(), vora::app::ExportFormat::Markdown); });
    QAction* exportJson = file->addAction(tr("Export Chat as &JSON…"));
    connect(exportJson, &QAction::triggered, this,
            [this] { exportConversation(m_controller->currentConversationId(), vora::app::ExportFormat::Json); });
    connect(m_controller, &ConversationController::currentConversationChanged, this, [exportMarkdown, exportJson](qint64 id) {
        for (QAction* action : {exportMarkdown, exportJson}) {
            action->setEnabled(id != 0);
            action->setToolTip(id != 0 ? QString() : tr("A new chat has nothing to export yet"));
        }
    });
    exportMarkdown->setEnabled(false);
    exportJson->setEnabled(false);
    file->addSeparator();
    QAction* preferences = file->addAction(themedIcon(QStringLiteral("preferences")), tr("&Preferences…"));
    preferences->setShortcut(QKeySequence::Preferences);
    if (preferences->shortcut().isEmpty()) {
        preferences->setShortcut(Qt::CTRL | Qt::Key_Comma);
    }
    connect(preferences, &QAction::triggered, this, &MainWindow::showPreferences);
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, qApp, &QApplication::quit);

    QMenu* chat = menuBar()->addMenu(tr("&Chat"));
    QAction* newChat = chat->addAction(themedIcon(QStringLiteral("new-chat")), tr("&New Chat"));
    newChat->setShortcut(QKeySequence::New);
    connect(newChat, &QAction::triggered, m_controller, &ConversationController::newConversation);
    QAction* search = chat->addAction(themedIcon(QStringLiteral("search")), tr("&Search Chats"));
    search->setShortcut(Qt::CTRL | Qt::Key_K);
    connect(search, &QAction::triggered, m_chatPage->sidebar(), &ConversationSidebar::focusSearch);
    QAction* stop = chat->addAction(themedIcon(QStringLiteral("stop")), tr("S&top Answer"));
    stop->setShortcut(Qt::Key_Escape);
    connect(stop, &QAction::triggered, m_controller, &ConversationController::stop);
    QAction* focus = chat->addAction(tr("&Write a Message"));
    focus->setShortcut(Qt::CTRL | Qt::Key_L);
    connect(focus, &QAction::triggered, composer(), &ComposerWidget::focusText);
    QAction* settings = chat->addAction(themedIcon(QStringLiteral("sliders")), tr("Chat &Settings…"));
    settings->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_Comma);
    connect(settings, &QAction::triggered, this, &MainWindow::showChatSettings);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    connect(help->addAction(tr("&About VoRA Studio")), &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar()
{
    m_modelLabel = new QLabel(this);
    m_modelLabel->setObjectName(QStringLiteral("modelStatus"));
    m_modelLabel->setAccessibleName(tr("Runtime status"));
    m_speedLabel = new QLabel(this);
    m_speedLabel->setObjectName(QStringLiteral("speedStatus"));
    m_speedLabel->setAccessibleName(tr("Speed of the last answer"));
    statusBar()->addPermanentWidget(m_speedLabel);
    statusBar()->addPermanentWidget(m_modelLabel);
    updateModelStatus();
}

void MainWindow::updateModelStatus()
{
    if (!m_modelLabel) {
        return;
    }
    const vora::app::ModelInfo& info = m_host->info();
    switch (m_host->state()) {
    case ModelHost::ModelState::None: {
        const vora::app::RuntimeSummary runtime = vora::app::runtimeSummary();
        m_modelLabel->setText(tr("No model loaded · LibTorch %1").arg(runtime.torchVersion));
        break;
    }
    case ModelHost::ModelState::Loading: m_modelLabel->setText(tr("Loading a model…")); break;
    case ModelHost::ModelState::Ready: m_modelLabel->setText(tr("%1 · %2 · %3").arg(info.name, info.device, info.dtype)); break;
    }
}

void MainWindow::updateTitle()
{
    setWindowTitle(tr("%1 \u2014 VoRA Studio").arg(m_controller->currentTitle()));
}

void MainWindow::onGenerationFinished(const vora::core::GenerationStats& stats)
{
    m_speedLabel->setText(tr("first token %1 ms · %2 tok/s · %3 tokens")
                              .arg(stats.timeToFirstTokenMs, 0, 'f', 0)
                              .arg(stats.decodeTokensPerSecond, 0, 'f', 1)
                              .arg(stats.generatedTokens));
    updateTitle(); // the first message names the chat
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (mimeDataHasImages(event->mimeData())) {
        event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList problems;
    const QList<NamedImage> images = imagesFromMimeData(event->mimeData(), &problems);
    composer()->addImages(images, problems);
    event->acceptProposedAction();
}

void MainWindow::chooseModelFolder()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open a VoRA model folder"));
    if (!path.isEmpty()) {
        Q_EMIT modelFolderChosen(path);
    }
}

void MainWindow::showChatSettings()
{
    ChatSettingsDialog dialog(m_controller->currentTitle(), m_controller->inheritedSettings(), m_controller->chatOverrides(),
                              m_context.appSettings, this);
    if (dialog.exec() == QDialog::Accepted) {
        m_controller->setChatOverrides(dialog.overrides());
    }
}

void MainWindow::showPreferences()
{
    PreferencesDialog dialog(m_context.appSettings, m_controller->modelDefaults(), this);
    connect(&dialog, &PreferencesDialog::reloadRequested, this, [this] {
        const QString path = m_host->isReady() ? m_host->info().path : QString();
        if (!path.isEmpty()) {
            m_host->loadModel(path);
        }
    });
    dialog.exec();
}

void MainWindow::showImage(const QString& path)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QImage image = reader.read();
    if (image.isNull()) {
        errorBanner()->showError(tr("The image cannot be shown"), tr("%1: %2").arg(path, reader.errorString()));
        return;
    }
    const vora::app::ModelInfo& info = m_host->info();
    ImageViewerDialog viewer(image, tr("Image"), info.imageSize, info.patchSize, !m_host->isReady() || info.hasVision, this);
    viewer.exec();
}

void MainWindow::confirmDelete(qint64 conversationId)
{
    QString title = tr("this chat");
    try {
        if (const auto summary = m_controller->store()->conversation(conversationId)) {
            title = QStringLiteral("\u201c%1\u201d").arg(summary->title);
        }
    } catch (const std::exception&) {
        // The store's problem shows when the deletion runs.
    }
    QMessageBox box(this);
    box.setObjectName(QStringLiteral("deleteConfirmation"));
    box.setWindowTitle(tr("Delete chat"));
    box.setIconPixmap(themedIcon(QStringLiteral("trash")).pixmap(40, 40));
    box.setText(tr("Delete %1?").arg(title));
    box.setInformativeText(tr("The chat and its images will be removed from this computer. This cannot be undone."));
    QPushButton* remove = box.addButton(tr("Delete"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmDeleteButton"));
    QPushButton* cancel = box.addButton(tr("Cancel"), QMessageBox::RejectRole);
    useTextOnlyButtons(&box);
    box.setDefaultButton(cancel);
    box.setEscapeButton(cancel);
    box.exec();
    if (box.clickedButton() == remove) {
        m_controller->deleteConversation(conversationId);
    }
}

void MainWindow::exportConversation(qint64 conversationId, vora::app::ExportFormat format)
{
    std::optional<vora::app::ConversationSummary> summary;
    try {
        summary = m_controller->store()->conversation(conversationId);
    } catch (const std::exception& error) {
        errorBanner()->showError(tr("The chat could not be exported"), QString::fromUtf8(error.what()));
        return;
    }
    if (!summary) {
        errorBanner()->showError(tr("Nothing to export"), tr("A new chat is saved with its first message."));
        return;
    }
    const bool markdown = format == vora::app::ExportFormat::Markdown;
    const QDir folder(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chat"),
                                                      folder.filePath(vora::app::suggestedExportFileName(summary->title, format)),
                                                      markdown ? tr("Markdown (*.md)") : tr("JSON (*.json)"));
    if (path.isEmpty()) {
        return;
    }
    try {
        vora::app::exportConversation(*m_controller->store(), conversationId, path, format);
        statusBar()->showMessage(tr("Exported to %1").arg(path), 5000);
    } catch (const std::exception& error) {
        errorBanner()->showError(tr("The chat could not be exported"), QString::fromUtf8(error.what()));
    }
}

void MainWindow::showAbout()
{
    const vora::app::RuntimeSummary runtime = vora::app::runtimeSummary();
    QMessageBox::about(this, tr("About VoRA Studio"),
                       tr("<h3>VoRA Studio %1</h3><p>Qt %2 · LibTorch %3 · OpenCV %4</p><p>Devices:<br>%5</p>")
                           .arg(QStringLiteral(VORA_VERSION), QString::fromLatin1(qVersion()), runtime.torchVersion,
                                runtime.opencvVersion.isEmpty() ? tr("not built in") : runtime.opencvVersion,
                                runtime.deviceNames.join(QStringLiteral("<br>"))));
}

} // namespace vora::ui
