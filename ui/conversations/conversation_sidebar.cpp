#include "ui/conversations/conversation_sidebar.h"

#include "app/conversations/conversation_list_model.h"

#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPushButton>
#include <QVBoxLayout>

namespace vora::ui {

using vora::app::ConversationListModel;

ConversationSidebar::ConversationSidebar(ConversationListModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_newChat(new QPushButton(QIcon::fromTheme(QStringLiteral("document-new")), tr("New chat"), this))
    , m_search(new QLineEdit(this))
    , m_list(new QListView(this))
{
    setObjectName(QStringLiteral("sidebar"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 4, 8);
    m_newChat->setObjectName(QStringLiteral("newChatButton"));
    m_newChat->setAccessibleName(tr("New chat"));
    m_newChat->setToolTip(tr("Start a new conversation (Ctrl+N)"));
    m_search->setObjectName(QStringLiteral("conversationSearch"));
    m_search->setAccessibleName(tr("Search conversations"));
    m_search->setPlaceholderText(tr("Search conversations"));
    m_search->setClearButtonEnabled(true);
    m_list->setObjectName(QStringLiteral("conversationList"));
    m_list->setAccessibleName(tr("Conversations"));
    m_list->setModel(model);
    m_list->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setUniformItemSizes(true);
    // Long titles are elided instead of widening the list.
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setTextElideMode(Qt::ElideRight);
    auto* empty = new QLabel(tr("No conversations yet."), this);
    empty->setObjectName(QStringLiteral("conversationsEmpty"));
    empty->setAlignment(Qt::AlignCenter);
    empty->setEnabled(false);
    layout->addWidget(m_newChat);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);
    layout->addWidget(empty, 1);

    const auto updateEmpty = [this, empty] {
        const bool none = m_model->rowCount() == 0 && m_model->filter().isEmpty();
        empty->setVisible(none);
        m_list->setVisible(!none);
        setCurrentConversation(m_current);
    };
    connect(model, &QAbstractItemModel::modelReset, this, updateEmpty);
    connect(model, &QAbstractItemModel::rowsInserted, this, updateEmpty);
    connect(model, &QAbstractItemModel::rowsRemoved, this, updateEmpty);
    updateEmpty();
    connect(m_newChat, &QPushButton::clicked, this, &ConversationSidebar::newChatRequested);
    connect(m_search, &QLineEdit::textChanged, this, &ConversationSidebar::filterChanged);
    connect(m_list, &QListView::clicked, this, [this](const QModelIndex& index) { Q_EMIT conversationChosen(idAt(index)); });
    connect(m_list, &QListView::activated, this, [this](const QModelIndex& index) { Q_EMIT conversationChosen(idAt(index)); });
    connect(m_list, &QListView::customContextMenuRequested, this, &ConversationSidebar::showContextMenu);
}

void ConversationSidebar::setCurrentConversation(qint64 conversationId)
{
    m_current = conversationId;
    const int row = m_model->rowOf(conversationId);
    if (row >= 0) {
        m_list->setCurrentIndex(m_model->index(row));
    } else {
        m_list->clearSelection();
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
    menu.addAction(tr("Rename"), this, [this, index] { m_list->edit(index); });
    menu.addAction(tr("Export as Markdown…"), this,
                   [this, id] { Q_EMIT exportRequested(id, vora::app::ExportFormat::Markdown); });
    menu.addAction(tr("Export as JSON…"), this, [this, id] { Q_EMIT exportRequested(id, vora::app::ExportFormat::Json); });
    menu.addSeparator();
    menu.addAction(QIcon::fromTheme(QStringLiteral("edit-delete")), tr("Delete"), this,
                   [this, id] { Q_EMIT deleteRequested(id); });
    menu.exec(m_list->viewport()->mapToGlobal(position));
}

} // namespace vora::ui
