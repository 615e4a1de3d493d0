#pragma once
// Paints a sidebar row: a date-group heading above the first conversation of each group ("Today",
// "Yesterday", ...), the title, and under it the model it talked to and how long ago. Rounded hover and
// selection fills from the palette. Renaming edits the title line. GUI thread only.
#include <QStyledItemDelegate>

namespace vora::ui {

class ConversationDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    // Whether the row at index starts a date group (its heading is drawn above it).
    static bool startsGroup(const QModelIndex& index);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void updateEditorGeometry(QWidget* editor, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int headingHeight(const QStyleOptionViewItem& option) const;
    QRect cardRect(const QStyleOptionViewItem& option, const QModelIndex& index) const;
};

} // namespace vora::ui
