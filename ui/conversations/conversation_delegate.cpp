#include "ui/conversations/conversation_delegate.h"

#include "app/conversations/conversation_list_model.h"
#include "ui/common/theme.h"

#include <QPainter>
#include <QPainterPath>

namespace vora::ui {
namespace {

using vora::app::ConversationListModel;

constexpr int kPaddingX = 10;
constexpr int kPaddingY = 6;
constexpr int kLineGap = 2;

QFont smaller(const QFont& font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.86);
    return small;
}

} // namespace

bool ConversationDelegate::startsGroup(const QModelIndex& index)
{
    if (index.row() == 0) {
        return true;
    }
    const QModelIndex previous = index.sibling(index.row() - 1, 0);
    return previous.data(ConversationListModel::DateGroupRole) != index.data(ConversationListModel::DateGroupRole);
}

int ConversationDelegate::headingHeight(const QStyleOptionViewItem& option) const
{
    QFont heading = smaller(option.font);
    heading.setBold(true);
    return QFontMetrics(heading).height() + 14;
}

QRect ConversationDelegate::cardRect(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const int top = startsGroup(index) ? headingHeight(option) : 0;
    return option.rect.adjusted(2, top + 1, -2, -1);
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const int lines = option.fontMetrics.height() + kLineGap + QFontMetrics(smaller(option.font)).height();
    const int heading = startsGroup(index) ? headingHeight(option) : 0;
    return {160, heading + lines + 2 * kPaddingY + 2};
}

void ConversationDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPalette& p = option.palette;
    if (startsGroup(index)) {
        QFont heading = smaller(option.font);
        heading.setBold(true);
        painter->setFont(heading);
        painter->setPen(secondaryText(p));
        const QRect headingRect(option.rect.left() + kPaddingX, option.rect.top() + 6, option.rect.width() - 2 * kPaddingX,
                                headingHeight(option) - 8);
        painter->drawText(headingRect, Qt::AlignLeft | Qt::AlignVCenter,
                          index.data(ConversationListModel::DateGroupRole).toString());
    }
    const QRect card = cardRect(option, index);
    const bool selected = option.state & QStyle::State_Selected;
    const bool hovered = option.state & QStyle::State_MouseOver;
    if (selected || hovered) {
        QPainterPath path;
        path.addRoundedRect(QRectF(card), 8, 8);
        const QColor window = p.color(QPalette::Window);
        painter->fillPath(path, selected ? mixColors(window, accentColor(p), isDark(p) ? 0.30 : 0.16)
                                         : mixColors(window, p.color(QPalette::Text), 0.07));
    }
    if (option.state & QStyle::State_HasFocus && option.state & QStyle::State_KeyboardFocusChange) {
        painter->setPen(QPen(accentColor(p), 2));
        painter->drawRoundedRect(QRectF(card).adjusted(1, 1, -1, -1), 8, 8);
    }
    const QRect text = card.adjusted(kPaddingX, kPaddingY, -kPaddingX, -kPaddingY);
    painter->setFont(option.font);
    painter->setPen(p.color(QPalette::Text));
    const QString title = index.data(Qt::DisplayRole).toString();
    painter->drawText(QRect(text.left(), text.top(), text.width(), option.fontMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(title, Qt::ElideRight, text.width()));
    const QFont small = smaller(option.font);
    const QFontMetrics smallMetrics(small);
    const QString time = index.data(ConversationListModel::RelativeTimeRole).toString();
    const QString model = index.data(ConversationListModel::ModelNameRole).toString();
    painter->setFont(small);
    painter->setPen(secondaryText(p));
    const QRect line(text.left(), text.top() + option.fontMetrics.height() + kLineGap, text.width(), smallMetrics.height());
    const int timeWidth = smallMetrics.horizontalAdvance(time);
    painter->drawText(line, Qt::AlignRight | Qt::AlignVCenter, time);
    painter->drawText(line.adjusted(0, 0, -timeWidth - 8, 0), Qt::AlignLeft | Qt::AlignVCenter,
                      smallMetrics.elidedText(model, Qt::ElideRight, line.width() - timeWidth - 8));
    painter->restore();
}

void ConversationDelegate::updateEditorGeometry(QWidget* editor, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QRect card = cardRect(option, index);
    editor->setGeometry(card.left() + kPaddingX - 4, card.top() + kPaddingY - 3, card.width() - 2 * kPaddingX + 8,
                        option.fontMetrics.height() + 6);
}

} // namespace vora::ui
