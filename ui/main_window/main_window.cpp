#include "ui/main_window/main_window.h"

#include "app/models/recent_models_model.h"
#include "app/runtime_summary.h"
#include "ui/common/app_icon.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace vora::ui {

MainWindow::MainWindow(QSettings* settings, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_recentModels(new vora::app::RecentModelsModel(settings, this))
{
    setWindowTitle(tr("VoRA Studio"));
    setWindowIcon(appIcon());
    resize(1180, 760);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(buildSidebar());

    auto* chatArea = new QWidget(splitter);
    auto* chatLayout = new QVBoxLayout(chatArea);
    chatLayout->setContentsMargins(0, 0, 0, 0);
    m_pages = new QStackedWidget(chatArea);
    m_pages->addWidget(buildWelcomePage());
    chatLayout->addWidget(m_pages, 1);
    chatLayout->addWidget(buildComposer());
    splitter->addWidget(chatArea);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 920});
    setCentralWidget(splitter);

    buildMenus();

    const vora::app::RuntimeSummary runtime = vora::app::runtimeSummary();
    m_deviceLabel = new QLabel(tr("No model loaded · %1 · LibTorch %2")
                                   .arg(runtime.bestDevice, runtime.torchVersion),
                               this);
    m_deviceLabel->setAccessibleName(tr("Runtime status"));
    statusBar()->addPermanentWidget(m_deviceLabel);
    statusBar()->showMessage(tr("Open a VoRA model folder to start chatting."));

    connect(this, &MainWindow::modelFolderChosen, m_recentModels, &vora::app::RecentModelsModel::touch);
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildSidebar()
{
    auto* sidebar = new QWidget(this);
    sidebar->setObjectName(QStringLiteral("sidebar"));
    auto* layout = new QVBoxLayout(sidebar);
    auto* newChat = new QPushButton(QIcon::fromTheme(QStringLiteral("document-new")), tr("New chat"), sidebar);
    newChat->setAccessibleName(tr("New chat"));
    newChat->setEnabled(false);
    newChat->setToolTip(tr("Open a model first"));
    layout->addWidget(newChat);
    auto* empty = new QLabel(tr("No conversations yet."), sidebar);
    empty->setObjectName(QStringLiteral("conversationsEmpty"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setEnabled(false);
    layout->addWidget(empty, 1);
    return sidebar;
}

QWidget* MainWindow::buildWelcomePage()
{
    auto* page = new QWidget(this);
    page->setObjectName(QStringLiteral("welcomePage"));
    auto* layout = new QVBoxLayout(page);
    layout->addStretch(1);

    auto* logo = new QLabel(page);
    logo->setPixmap(appIconPixmap(96));
    logo->setAlignment(Qt::AlignCenter);
    layout->addWidget(logo);

    auto* title = new QLabel(tr("<h1>VoRA Studio</h1>"), page);
    title->setAlignment(Qt::AlignCenter);
    layout->addWidget(title);

    auto* blurb = new QLabel(tr("Chat with images through encoder-free VoRA models, see where the model looks, "
                                "and fine-tune it on your own GPU.<br>Everything runs on this computer."),
                             page);
    blurb->setWordWrap(true);
    blurb->setAlignment(Qt::AlignCenter);
    layout->addWidget(blurb);

    auto* open = new QPushButton(QIcon::fromTheme(QStringLiteral("document-open")), tr("Open a model folder…"), page);
    open->setObjectName(QStringLiteral("openModelButton"));
    open->setAccessibleName(tr("Open a model folder"));
    open->setDefault(true);
    connect(open, &QPushButton::clicked, this, &MainWindow::chooseModelFolder);
    auto* openRow = new QHBoxLayout;
    openRow->addStretch(1);
    openRow->addWidget(open);
    openRow->addStretch(1);
    layout->addLayout(openRow);

    auto* recentTitle = new QLabel(tr("Recent models"), page);
    recentTitle->setAlignment(Qt::AlignCenter);
    m_recentView = new QListView(page);
    m_recentView->setObjectName(QStringLiteral("recentModels"));
    m_recentView->setAccessibleName(tr("Recent models"));
    m_recentView->setModel(m_recentModels);
    m_recentView->setMaximumWidth(480);
    m_recentView->setMaximumHeight(140);
    const bool hasRecent = m_recentModels->rowCount() > 0;
    recentTitle->setVisible(hasRecent);
    m_recentView->setVisible(hasRecent);
    connect(m_recentView, &QListView::activated, this, [this](const QModelIndex& index) {
        Q_EMIT modelFolderChosen(index.data(vora::app::RecentModelsModel::PathRole).toString());
    });
    layout->addWidget(recentTitle);
    layout->addWidget(m_recentView, 0, Qt::AlignHCenter);
    layout->addStretch(2);
    return page;
}

QWidget* MainWindow::buildComposer()
{
    auto* composer = new QWidget(this);
    composer->setObjectName(QStringLiteral("composer"));
    auto* layout = new QHBoxLayout(composer);
    m_composerEdit = new QPlainTextEdit(composer);
    m_composerEdit->setObjectName(QStringLiteral("composerEdit"));
    m_composerEdit->setAccessibleName(tr("Message"));
    m_composerEdit->setPlaceholderText(tr("Open a model to start a conversation"));
    m_composerEdit->setMaximumHeight(90);
    m_composerEdit->setEnabled(false);
    m_sendButton = new QPushButton(tr("Send"), composer);
    m_sendButton->setAccessibleName(tr("Send message"));
    m_sendButton->setEnabled(false);
    layout->addWidget(m_composerEdit, 1);
    layout->addWidget(m_sendButton);
    return composer;
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open Model Folder…"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, &MainWindow::chooseModelFolder);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, qApp, &QApplication::quit);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    connect(help->addAction(tr("&About VoRA Studio")), &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::chooseModelFolder()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open a VoRA model folder"));
    if (!path.isEmpty()) {
        Q_EMIT modelFolderChosen(path);
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
