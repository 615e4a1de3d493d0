#include "ui/main_window/main_window.h"

#include "app/chat/conversation_controller.h"
#include "app/chat/message_list_model.h"
#include "app/conversations/conversation_list_model.h"
#include "app/models/recent_models_model.h"
#include "app/runtime_summary.h"
#include "app/storage/conversation_store.h"
#include "ui/chat/chat_view.h"
#include "ui/common/app_icon.h"
#include "ui/common/error_banner.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/composer_widget.h"
#include "ui/composer/image_mime.h"
#include "ui/conversations/conversation_sidebar.h"
#include "ui/main_window/welcome_page.h"
#include "ui/settings/conversation_settings_dialog.h"

#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace vora::ui {

using vora::app::ConversationController;
using vora::app::ModelHost;

MainWindow::MainWindow(const MainWindowContext& context, QWidget* parent)
    : QMainWindow(parent)
    , m_context(context)
    , m_controller(context.controller)
    , m_host(context.controller->host())
    , m_recentModels(new vora::app::RecentModelsModel(context.settings, this))
{
    setWindowTitle(tr("VoRA Studio"));
    setWindowIcon(appIcon());
    setAcceptDrops(true);
    resize(1180, 760);

    auto* splitter = new QSplitter(this);
    m_sidebar = new ConversationSidebar(m_controller->conversations(), splitter);
    splitter->addWidget(m_sidebar);
    splitter->addWidget(buildChatArea());
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 920});
    setCentralWidget(splitter);

    buildMenus();
    buildStatusBar();
    connectController();
    connectModelHost();
    updatePage();
    updateComposer();
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildChatArea()
{
    auto* area = new QWidget(this);
    auto* layout = new QVBoxLayout(area);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_banner = new ErrorBanner(area);
    layout->addWidget(m_banner);
    m_pages = new QStackedWidget(area);
    m_welcome = new WelcomePage(m_recentModels, m_pages);
    m_chatView = new ChatView(m_controller->messages(), m_context.highlighting, m_pages);
    m_pages->addWidget(m_welcome);
    m_pages->addWidget(m_chatView);
    layout->addWidget(m_pages, 1);
    m_composer = new ComposerWidget(area);
    layout->addWidget(m_composer);

    connect(m_welcome, &WelcomePage::openRequested, this, &MainWindow::chooseModelFolder);
    connect(m_welcome, &WelcomePage::recentChosen, this, &MainWindow::modelFolderChosen);
    connect(m_composer, &ComposerWidget::sendRequested, this, [this](const QString& text, const QList<QByteArray>& images) {
        if (m_controller->send(text, images)) {
            m_composer->clear();
        }
    });
    connect(m_composer, &ComposerWidget::stopRequested, m_controller, &ConversationController::stop);
    connect(m_composer, &ComposerWidget::settingsRequested, this, &MainWindow::showSettings);
    connect(m_composer, &ComposerWidget::problem, m_banner, &ErrorBanner::showError);
    connect(m_chatView, &ChatView::regenerateRequested, m_controller, &ConversationController::regenerate);
    connect(m_chatView, &ChatView::editRequested, m_controller, &ConversationController::editAndResend);
    return area;
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open Model Folder…"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, &MainWindow::chooseModelFolder);
    file->addSeparator();
    connect(file->addAction(tr("Export Conversation as &Markdown…")), &QAction::triggered, this,
            [this] { exportConversation(m_controller->currentConversationId(), vora::app::ExportFormat::Markdown); });
    connect(file->addAction(tr("Export Conversation as &JSON…")), &QAction::triggered, this,
            [this] { exportConversation(m_controller->currentConversationId(), vora::app::ExportFormat::Json); });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, qApp, &QApplication::quit);

    QMenu* chat = menuBar()->addMenu(tr("&Chat"));
    QAction* newChat = chat->addAction(QIcon::fromTheme(QStringLiteral("document-new")), tr("&New Chat"));
    newChat->setShortcut(QKeySequence::New);
    connect(newChat, &QAction::triggered, m_controller, &ConversationController::newConversation);
    QAction* stop = chat->addAction(tr("&Stop Answer"));
    stop->setShortcut(Qt::Key_Escape);
    connect(stop, &QAction::triggered, m_controller, &ConversationController::stop);
    QAction* focus = chat->addAction(tr("&Write a Message"));
    focus->setShortcut(Qt::CTRL | Qt::Key_L);
    connect(focus, &QAction::triggered, m_composer, &ComposerWidget::focusText);
    connect(chat->addAction(tr("Conversation &Settings…")), &QAction::triggered, this, &MainWindow::showSettings);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    connect(help->addAction(tr("&About VoRA Studio")), &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar()
{
    const vora::app::RuntimeSummary runtime = vora::app::runtimeSummary();
    m_modelLabel = new QLabel(tr("No model loaded · %1 · LibTorch %2").arg(runtime.bestDevice, runtime.torchVersion), this);
    m_modelLabel->setObjectName(QStringLiteral("modelStatus"));
    m_modelLabel->setAccessibleName(tr("Runtime status"));
    m_speedLabel = new QLabel(this);
    m_speedLabel->setObjectName(QStringLiteral("speedStatus"));
    m_speedLabel->setAccessibleName(tr("Speed of the last answer"));
    m_loadProgress = new QProgressBar(this);
    m_loadProgress->setObjectName(QStringLiteral("loadProgress"));
    m_loadProgress->setAccessibleName(tr("Model loading progress"));
    m_loadProgress->setRange(0, 100);
    m_loadProgress->setMaximumWidth(220);
    m_loadProgress->hide();
    statusBar()->addPermanentWidget(m_loadProgress);
    statusBar()->addPermanentWidget(m_speedLabel);
    statusBar()->addPermanentWidget(m_modelLabel);
    statusBar()->showMessage(tr("Open a VoRA model folder to start chatting."));
}

void MainWindow::connectController()
{
    connect(m_sidebar, &ConversationSidebar::newChatRequested, m_controller, &ConversationController::newConversation);
    connect(m_sidebar, &ConversationSidebar::conversationChosen, m_controller, &ConversationController::openConversation);
    connect(m_sidebar, &ConversationSidebar::deleteRequested, this, [this](qint64 id) {
        const auto answer = QMessageBox::question(this, tr("Delete conversation"),
                                                  tr("Delete this conversation and its images? This cannot be undone."));
        if (answer == QMessageBox::Yes) {
            m_controller->deleteConversation(id);
        }
    });
    connect(m_sidebar, &ConversationSidebar::filterChanged, m_controller, &ConversationController::setSearchFilter);
    connect(m_sidebar, &ConversationSidebar::exportRequested, this, &MainWindow::exportConversation);
    connect(m_controller->conversations(), &vora::app::ConversationListModel::renameFailed, this,
            [this](const QString& message) { m_banner->showError(tr("Could not rename the conversation"), message); });
    connect(m_controller, &ConversationController::currentConversationChanged, this, [this](qint64 id) {
        m_sidebar->setCurrentConversation(id);
        updatePage();
    });
    connect(m_controller->messages(), &QAbstractItemModel::rowsInserted, this, &MainWindow::updatePage);
    connect(m_controller, &ConversationController::generatingChanged, this, [this](bool generating) {
        m_chatView->setBusy(generating);
        updateComposer();
    });
    connect(m_controller, &ConversationController::generationFinished, this, &MainWindow::onGenerationFinished);
    connect(m_controller, &ConversationController::errorOccurred, m_banner, &ErrorBanner::showError);
}

void MainWindow::connectModelHost()
{
    connect(this, &MainWindow::modelFolderChosen, m_host, &ModelHost::loadModel);
    connect(m_host, &ModelHost::stateChanged, this, [this] {
        updateComposer();
        updatePage();
    });
    connect(m_host, &ModelHost::loadProgress, this, [this](double fraction, const QString& stage) {
        m_loadProgress->show();
        m_loadProgress->setValue(static_cast<int>(fraction * 100));
        m_loadProgress->setFormat(stage + QStringLiteral(" %p%"));
        statusBar()->showMessage(tr("Loading the model: %1").arg(stage));
    });
    connect(m_host, &ModelHost::loaded, this, &MainWindow::onModelLoaded);
    connect(m_host, &ModelHost::loadFailed, this, [this](const QString& message) {
        m_loadProgress->hide();
        statusBar()->showMessage(tr("No model loaded."));
        m_banner->showError(tr("The model could not be opened"), message);
    });
}

void MainWindow::onModelLoaded(const vora::app::ModelInfo& info)
{
    m_loadProgress->hide();
    m_banner->hide();
    m_recentModels->touch(info.path);
    m_composer->setModelGeometry(info.imageSize, info.patchSize);
    m_modelLabel->setText(tr("%1 · %2 · %3").arg(info.name, info.device, info.dtype));
    statusBar()->showMessage(tr("Model loaded in %1 s.").arg(info.loadSeconds, 0, 'f', 1), 5000);
    m_composer->focusText();
}

void MainWindow::onGenerationFinished(const vora::core::GenerationStats& stats)
{
    m_speedLabel->setText(tr("first token %1 ms · %2 tok/s · %3 tokens")
                              .arg(stats.timeToFirstTokenMs, 0, 'f', 0)
                              .arg(stats.decodeTokensPerSecond, 0, 'f', 1)
                              .arg(stats.generatedTokens));
}

void MainWindow::updatePage()
{
    const bool showChat = m_host->state() != ModelHost::ModelState::None
        || m_controller->messages()->rowCount() > 0;
    m_pages->setCurrentWidget(showChat ? static_cast<QWidget*>(m_chatView) : m_welcome);
    m_chatView->setEmptyText(tr("Ask about an image: drop, paste or attach one, then write your question."));
}

void MainWindow::updateComposer()
{
    switch (m_host->state()) {
    case ModelHost::ModelState::None:
        m_composer->setCanSend(false, tr("Open a model to start a conversation"));
        break;
    case ModelHost::ModelState::Loading: m_composer->setCanSend(false, tr("Loading the model…")); break;
    case ModelHost::ModelState::Ready:
        m_composer->setCanSend(!m_controller->isGenerating(),
                               tr("Write a message (Enter sends, Shift+Enter for a new line)"));
        break;
    }
    m_composer->setGenerating(m_controller->isGenerating());
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
    const QList<QByteArray> images = imagesFromMimeData(event->mimeData(), &problems);
    m_composer->addImages(images, problems);
    event->acceptProposedAction();
}

void MainWindow::chooseModelFolder()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open a VoRA model folder"));
    if (!path.isEmpty()) {
        Q_EMIT modelFolderChosen(path);
    }
}

void MainWindow::showSettings()
{
    ConversationSettingsDialog dialog(m_controller->effectiveSettings(), m_controller->defaultSettings(), this);
    if (dialog.exec() == QDialog::Accepted) {
        m_controller->setConversationSettings(dialog.chosenSettings());
    }
}

void MainWindow::exportConversation(qint64 conversationId, vora::app::ExportFormat format)
{
    if (conversationId == 0) {
        m_banner->showError(tr("Nothing to export"), tr("Open a conversation first."));
        return;
    }
    const bool markdown = format == vora::app::ExportFormat::Markdown;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export conversation"), {},
                                                      markdown ? tr("Markdown (*.md)") : tr("JSON (*.json)"));
    if (path.isEmpty()) {
        return;
    }
    try {
        vora::app::exportConversation(*m_controller->store(), conversationId, path, format);
        statusBar()->showMessage(tr("Exported to %1").arg(path), 5000);
    } catch (const std::exception& error) {
        m_banner->showError(tr("The conversation could not be exported"), QString::fromUtf8(error.what()));
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
