#include "ui/chat/chat_view.h"

#include "app/chat/message_list_model.h"
#include "ui/chat/message_widget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QScrollBar>
#include <QVBoxLayout>

namespace vora::ui {

ChatView::ChatView(vora::app::MessageListModel* model, const CodeHighlighting* highlighting, QWidget* parent)
    : QScrollArea(parent)
    , m_model(model)
    , m_highlighting(highlighting)
    , m_content(new QWidget(this))
    , m_column(new QWidget(m_content))
    , m_layout(new QVBoxLayout(m_column))
    , m_empty(new QLabel(m_column))
{
    setObjectName(QStringLiteral("chatView"));
    setAccessibleName(tr("Conversation"));
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_content->setBackgroundRole(QPalette::Base);
    m_content->setAutoFillBackground(true);
    auto* centring = new QHBoxLayout(m_content);
    centring->setContentsMargins(16, 0, 16, 0);
    centring->addStretch(1);
    centring->addWidget(m_column, 100);
    centring->addStretch(1);
    m_column->setMaximumWidth(kColumnWidth);
    m_layout->setContentsMargins(0, 16, 0, 16);
    m_layout->setSpacing(14);
    m_empty->setObjectName(QStringLiteral("chatEmpty"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setEnabled(false);
    m_layout->addWidget(m_empty, 1);
    m_layout->addStretch(0);
    setWidget(m_content);

    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int first, int last) {
        insertRows(first, last);
    });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this](const QModelIndex&, int first, int last) {
        removeRows(first, last);
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& from, const QModelIndex& to) {
        updateRows(from.row(), to.row());
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &ChatView::rebuild);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        m_stickToEnd = value >= verticalScrollBar()->maximum() - 24;
    });
    connect(verticalScrollBar(), &QScrollBar::rangeChanged, this, &ChatView::followEnd);
    rebuild();
}

void ChatView::setActionsBlocked(const QString& reason)
{
    m_blockedReason = reason;
    for (MessageWidget* widget : m_widgets) {
        widget->setActionsBlocked(reason);
    }
}

void ChatView::updateLastMessage()
{
    for (qsizetype i = 0; i < m_widgets.size(); ++i) {
        m_widgets.at(i)->setActionsAlwaysShown(i == m_widgets.size() - 1);
    }
}

MessageWidget* ChatView::messageWidget(int row) const
{
    return row >= 0 && row < m_widgets.size() ? m_widgets.at(row) : nullptr;
}

void ChatView::setEmptyText(const QString& text)
{
    m_empty->setText(text);
}

void ChatView::insertRows(int first, int last)
{
    for (int row = first; row <= last; ++row) {
        auto* widget = new MessageWidget(m_highlighting, m_column);
        widget->setMessage(m_model->at(row));
        widget->setActionsBlocked(m_blockedReason);
        connect(widget, &MessageWidget::regenerateRequested, this, [this, widget] {
            Q_EMIT regenerateRequested(rowOf(widget));
        });
        connect(widget, &MessageWidget::editSubmitted, this, [this, widget](const QString& text) {
            Q_EMIT editRequested(rowOf(widget), text);
        });
        connect(widget, &MessageWidget::imageClicked, this, &ChatView::imageRequested);
        connect(widget, &MessageWidget::attentionRequested, this, [this, widget] { Q_EMIT attentionRequested(rowOf(widget)); });
        // Index 0 is the empty-state label.
        m_layout->insertWidget(row + 1, widget);
        m_widgets.insert(row, widget);
    }
    m_empty->setVisible(m_widgets.isEmpty());
    m_stickToEnd = true;
    updateLastMessage();
}

void ChatView::removeRows(int first, int last)
{
    for (int row = last; row >= first; --row) {
        delete m_widgets.takeAt(row);
    }
    m_empty->setVisible(m_widgets.isEmpty());
    updateLastMessage();
}

void ChatView::updateRows(int first, int last)
{
    for (int row = first; row <= last && row < m_widgets.size(); ++row) {
        m_widgets.at(row)->setMessage(m_model->at(row));
    }
}

void ChatView::rebuild()
{
    qDeleteAll(m_widgets);
    m_widgets.clear();
    if (m_model->rowCount() > 0) {
        insertRows(0, m_model->rowCount() - 1);
    }
    m_empty->setVisible(m_widgets.isEmpty());
}

void ChatView::followEnd()
{
    if (m_stickToEnd) {
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    }
}

int ChatView::rowOf(const MessageWidget* widget) const
{
    return static_cast<int>(m_widgets.indexOf(const_cast<MessageWidget*>(widget)));
}

} // namespace vora::ui
