#include "ui/main_window/chat_page.h"

#include "app/chat/context_meter.h"
#include "app/chat/conversation_controller.h"
#include "app/chat/message_list_model.h"
#include "app/inference/model_host.h"
#include "app/storage/conversation_store.h"
#include "ui/attention/attention_viewer.h"
#include "ui/chat/chat_view.h"
#include "ui/common/error_banner.h"
#include "ui/composer/composer_widget.h"
#include "ui/conversations/conversation_sidebar.h"
#include "ui/main_window/model_header.h"
#include "ui/main_window/welcome_page.h"

#include <QHBoxLayout>
#include <QKeySequence>
#include <QShortcut>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace vora::ui {

using vora::app::ConversationController;
using vora::app::ModelHost;

ChatPage::ChatPage(ConversationController* controller, vora::app::RecentModelsModel* recentModels,
                   const CodeHighlighting* highlighting, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_host(controller->host())
    , m_meter(new vora::app::ContextMeter(controller, this))
{
    setObjectName(QStringLiteral("chatPage"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* splitter = new QSplitter(this);
    splitter->setChildrenCollapsible(false);
    splitter->setHandleWidth(1);
    m_sidebar = new ConversationSidebar(controller->conversations(), splitter);
    m_sidebar->setMinimumWidth(200);
    splitter->addWidget(m_sidebar);
    splitter->addWidget(buildChatArea(highlighting, recentModels));
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({270, 900});
    layout->addWidget(splitter);
    connectController();
    updatePage();
    updateComposer();
}

QWidget* ChatPage::buildChatArea(const CodeHighlighting* highlighting, vora::app::RecentModelsModel* recentModels)
{
    auto* area = new QWidget(this);
    area->setBackgroundRole(QPalette::Base);
    area->setAutoFillBackground(true);
    auto* layout = new QVBoxLayout(area);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_header = new ModelHeader(m_host, recentModels, area);
    layout->addWidget(m_header);
    m_banner = new ErrorBanner(area);
    layout->addWidget(m_banner);
    m_stack = new QStackedWidget(area);
    m_welcome = new WelcomePage(recentModels, m_stack);
    m_chatView = new ChatView(m_controller->messages(), highlighting, m_stack);
    m_stack->addWidget(m_welcome);
    m_stack->addWidget(m_chatView);
    layout->addWidget(m_stack, 1);
    // The composer keeps to the chat's column.
    auto* composerRow = new QHBoxLayout;
    composerRow->setContentsMargins(16, 4, 16, 14);
    m_composer = new ComposerWidget(area);
    m_composer->setMaximumWidth(ChatView::kColumnWidth);
    composerRow->addStretch(1);
    composerRow->addWidget(m_composer, 100);
    composerRow->addStretch(1);
    layout->addLayout(composerRow);

    connect(m_header, &ModelHeader::openRequested, this, &ChatPage::openModelRequested);
    connect(m_header, &ModelHeader::modelChosen, this, &ChatPage::modelChosen);
    connect(m_welcome, &WelcomePage::openRequested, this, &ChatPage::openModelRequested);
    connect(m_welcome, &WelcomePage::recentChosen, this, &ChatPage::modelChosen);
    connect(m_composer, &ComposerWidget::sendRequested, this, [this](const QString& text, const QList<QByteArray>& images) {
        if (m_controller->send(text, images)) {
            m_composer->clear();
        }
    });
    connect(m_composer, &ComposerWidget::stopRequested, m_controller, &ConversationController::stop);
    connect(m_composer, &ComposerWidget::settingsRequested, this, &ChatPage::settingsRequested);
    connect(m_composer, &ComposerWidget::problem, m_banner, &ErrorBanner::showError);
    connect(m_composer, &ComposerWidget::draftChanged, m_meter, &vora::app::ContextMeter::setDraft);
    connect(m_meter, &vora::app::ContextMeter::usageChanged, m_composer, &ComposerWidget::setContextUsage);
    connect(m_chatView, &ChatView::regenerateRequested, m_controller, &ConversationController::regenerate);
    connect(m_chatView, &ChatView::editRequested, m_controller, &ConversationController::editAndResend);
    connect(m_chatView, &ChatView::imageRequested, this, &ChatPage::imageRequested);
    connect(m_chatView, &ChatView::attentionRequested, this, &ChatPage::showAttention);
    auto* attentionShortcut = new QShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+A")), this);
    connect(attentionShortcut, &QShortcut::activated, this, [this] { showAttention(-1); });
    return area;
}

void ChatPage::connectController()
{
    connect(m_sidebar, &ConversationSidebar::newChatRequested, m_controller, &ConversationController::newConversation);
    connect(m_sidebar, &ConversationSidebar::conversationChosen, m_controller, &ConversationController::openConversation);
    connect(m_sidebar, &ConversationSidebar::filterChanged, m_controller, &ConversationController::setSearchFilter);
    connect(m_controller, &ConversationController::currentConversationChanged, this, [this](qint64 id) {
        m_sidebar->setCurrentConversation(id);
        updatePage();
    });
    connect(m_controller->messages(), &QAbstractItemModel::rowsInserted, this, &ChatPage::updatePage);
    connect(m_controller->messages(), &QAbstractItemModel::modelReset, this, &ChatPage::updatePage);
    connect(m_controller, &ConversationController::generatingChanged, this, &ChatPage::updateComposer);
    connect(m_controller, &ConversationController::errorOccurred, m_banner, &ErrorBanner::showError);
    connect(m_host, &ModelHost::stateChanged, this, [this] {
        updateComposer();
        updatePage();
    });
    connect(m_host, &ModelHost::loaded, this, [this](const vora::app::ModelInfo& info) {
        m_banner->hide(); // a new model: earlier load errors no longer apply
        m_composer->setModelGeometry(info.imageSize, info.patchSize, info.hasVision);
        updateComposer();
        updateEmptyText();
        m_composer->focusText();
    });
    connect(m_host, &ModelHost::loadFailed, this, [this](const QString& message) {
        m_banner->showError(tr("The model could not be opened"), message);
    });
}

void ChatPage::updatePage()
{
    const bool showChat = m_host->state() != ModelHost::ModelState::None || m_controller->messages()->rowCount() > 0;
    m_stack->setCurrentWidget(showChat ? static_cast<QWidget*>(m_chatView) : m_welcome);
    updateEmptyText();
}

void ChatPage::updateEmptyText()
{
    const vora::app::ModelInfo& info = m_host->info();
    QString text = tr("<p style='font-size:large'><b>What would you like to know?</b></p>");
    if (m_host->state() == ModelHost::ModelState::Loading) {
        text += tr("<p>The model is loading; you can start writing.</p>");
    } else if (info.hasVision) {
        text += tr("<p>Drop, paste or attach an image, then ask about it.<br>Click an image to see what the model "
                   "sees of it.</p>");
    } else {
        text += tr("<p>This model reads text only.</p>");
    }
    m_chatView->setEmptyText(text);
}

void ChatPage::updateComposer()
{
    const bool generating = m_controller->isGenerating();
    const vora::app::ModelInfo& info = m_host->info();
    switch (m_host->state()) {
    case ModelHost::ModelState::None:
        m_composer->setCanSend(false, tr("Open a model to start a conversation"));
        m_chatView->setActionsBlocked(tr("open a model first"));
        break;
    case ModelHost::ModelState::Loading:
        m_composer->setCanSend(false, tr("The model is loading; you can write already"));
        m_chatView->setActionsBlocked(tr("the model is still loading"));
        break;
    case ModelHost::ModelState::Ready:
        m_composer->setCanSend(!generating, info.isDemo && info.hasVision ? tr("Ask about the shapes or the number in a picture")
                                                : info.hasVision ? tr("Ask about an image, or anything else")
                                                                 : tr("Write a message"));
        m_chatView->setActionsBlocked(generating ? tr("wait for the answer to finish, or stop it") : QString());
        break;
    }
    m_composer->setGenerating(generating);
}

void ChatPage::showAttention(int row)
{
    const vora::app::MessageListModel* messages = m_controller->messages();
    if (row < 0) {
        for (int i = messages->rowCount() - 1; i >= 0 && row < 0; --i) {
            row = messages->at(i).hasAttention ? i : -1;
        }
    }
    if (row < 0 || row >= messages->rowCount() || !messages->at(row).hasAttention) {
        return;
    }
    try {
        const std::optional<vora::app::AnswerAttention> attention = m_controller->store()->attention(messages->at(row).id);
        if (!attention) {
            return;
        }
        const qint64 messageId = messages->at(row).id;
        auto* viewer = new AttentionViewer(*attention, this);
        viewer->setRolloutRequester(new vora::app::RolloutRequester(m_host, m_controller->rolloutSource(messageId), viewer));
        viewer->setAttribute(Qt::WA_DeleteOnClose);
        viewer->show();
    } catch (const std::exception& error) {
        m_banner->showError(tr("Could not open the attention map"), QString::fromUtf8(error.what()));
    }
}

} // namespace vora::ui
