#include "ui/conversations/conversation_sidebar.h"

#include "app/conversations/conversation_list_model.h"
#include "ui/common/icon_button.h"
#include "ui/common/icons.h"
#include "ui/common/theme.h"
#include "ui/common/tone_label.h"
#include "ui/conversations/conversation_delegate.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QVBoxLayout>

namespace vora::ui {

using vora::app::ConversationListModel;

ConversationSidebar::ConversationSidebar(ConversationListModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_newChat(new IconButton(QStringLiteral("new-chat"), tr("New chat"), this))
    , m_search(new QLineEdit(this))
    , m_list(new QListView(this))
    , m_empty(new ToneLabel(ToneLabel::Tone::Secondary, this))
{
    setObjectName(QStringLiteral("sidebar"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 10, 8, 10);
    layout->setSpacing(8);
    auto* header = new QHBoxLayout;
    auto* title = new QLabel(tr("Chats"), this);
    QFont bold = title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    title->setFont(bold);
    header->addWidget(title);
    header->addStretch(1);
    m_newChat->setObjectName(QStringLiteral("newChatButton"));
    m_newChat->setToolTip(tr("Start a new chat (Ctrl+N)"));
    header->addWidget(m_newChat);
    layout->addLayout(header);

    m_search->setObjectName(QStringLiteral("conversationSearch"));
    m_search->setAccessibleName(tr("Search conversations"));
    m_search->setPlaceholderText(tr("Search chats (Ctrl+K)"));
    m_search->setClearButtonEnabled(true);
    QAction* searchIcon = m_search->addAction(themedIcon(QStringLiteral("search")), QLineEdit::LeadingPosition);
    searchIcon->setText(tr("Search"));
    connect(searchIcon, &QAction::triggered, this, &ConversationSidebar::focusSearch);
    layout->addWidget(m_search);

    m_list->setObjectName(QStringLiteral("conversationList"));
    m_list->setAccessibleName(tr("Conversations"));
    m_list->setModel(model);
    m_list->setItemDelegate(new ConversationDelegate(m_list));
    m_list->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setMouseTracking(true);
    m_list->viewport()->setAutoFillBackground(false);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    layout->addWidget(m_list, 1);
    m_empty->setObjectName(QStringLiteral("conversationsEmpty"));
    m_empty->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    m_empty->setWordWrap(true);
    layout->addWidget(m_empty, 1);

    connect(model, &QAbstractItemModel::modelReset, this, &ConversationSidebar::updateEmptyState);
    connect(model, &QAbstractItemModel::rowsInserted, this, &ConversationSidebar::updateEmptyState);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &ConversationSidebar::updateEmptyState);
    updateEmptyState();
    connect(m_newChat, &IconButton::clicked, this, &ConversationSidebar::newChatRequested);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        Q_EMIT filterChanged(text);
        updateEmptyState(); // an empty result can stay empty while the words change: say which words
    });
    connect(m_list, &QListView::clicked, this, [this](const QModelIndex& index) { Q_EMIT conversationChosen(idAt(index)); });
    connect(m_list, &QListView::activated, this, [this](const QModelIndex& index) { Q_EMIT conversationChosen(idAt(index)); });
    connect(m_list, &QListView::customContextMenuRequested, this, &ConversationSidebar::showContextMenu);
}

void ConversationSidebar::paintEvent(QPaintEvent*)
{
    // A hairline on the right separates the sidebar from the chat.
    QPainter painter(this);
    painter.setPen(subtleBorder(palette()));
    painter.drawLine(width() - 1, 0, width() - 1, height());
}

void ConversationSidebar::updateEmptyState()
{
    const bool none = m_model->rowCount() == 0;
    const bool searching = !m_model->filter().trimmed().isEmpty();
    m_empty->setText(searching ? tr("No matches for \u201c%1\u201d.").arg(m_model->filter().trimmed())
                               : tr("No conversations yet.\nYour chats appear here after their first message."));
    m_empty->setVisible(none);
    m_list->setVisible(!none);
    setCurrentConversation(m_current);
}

void ConversationSidebar::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void ConversationSidebar::setCurrentConversation(qint64 conversationId)
{
    m_current = conversationId;
    const int row = m_model->rowOf(conversationId);
    if (row >= 0) {
        m_list->setCurrentIndex(m_model->index(row));
    } else {
        m_list->clearSelection();
        m_list->setCurrentIndex({});
    }
}

qint64 ConversationSidebar::idAt(const QModelIndex& index) const
{
    return index.data(ConversationListModel::IdRole).toLongLong();
}

void ConversationSidebar::showContextMenu(const QPoint& position)
{
    const QModelIndex index = m_list->indexAt(position);
    if (!index.isValid()) {
        return;
    }
    const qint64 id = idAt(index);
    QMenu menu(this);
    menu.addAction(themedIcon(QStringLiteral("edit")), tr("Rename"), this, [this, index] { m_list->edit(index); });
    menu.addAction(tr("Export as Markdown…"), this,
                   [this, id] { Q_EMIT exportRequested(id, vora::app::ExportFormat::Markdown); });
    menu.addAction(tr("Export as JSON…"), this, [this, id] { Q_EMIT exportRequested(id, vora::app::ExportFormat::Json); });
    menu.addSeparator();
    menu.addAction(themedIcon(QStringLiteral("trash")), tr("Delete…"), this, [this, id] { Q_EMIT deleteRequested(id); });
    menu.exec(m_list->viewport()->mapToGlobal(position));
}

} // namespace vora::ui
