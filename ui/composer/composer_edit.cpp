#include "ui/composer/composer_edit.h"

#include "ui/composer/image_mime.h"

#include <QAbstractTextDocumentLayout>
#include <QKeyEvent>

#include <algorithm>
#include <QMimeData>

namespace vora::ui {

ComposerEdit::ComposerEdit(QWidget* parent)
    : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("composerEdit"));
    setAccessibleName(tr("Message"));
    setTabChangesFocus(true);
    // Grows with its text from two lines up to eight, then scrolls.
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this, [this] { updateGeometry(); });
}

QSize ComposerEdit::sizeHint() const
{
    // QPlainTextEdit's document size is in lines (wrapped lines included).
    const int lines = std::clamp(static_cast<int>(document()->documentLayout()->documentSize().height()), 2, 8);
    return {QPlainTextEdit::sizeHint().width(), fontMetrics().lineSpacing() * lines + 2 * frameWidth() + 10};
}

void ComposerEdit::keyPressEvent(QKeyEvent* event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & Qt::ShiftModifier)) {
        event->accept();
        Q_EMIT submitted();
        return;
    }
    if (enter) {
        insertPlainText(QStringLiteral("\n"));
        event->accept();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

bool ComposerEdit::canInsertFromMimeData(const QMimeData* source) const
{
    return mimeDataHasImages(source) || QPlainTextEdit::canInsertFromMimeData(source);
}

void ComposerEdit::insertFromMimeData(const QMimeData* source)
{
    if (!mimeDataHasImages(source)) {
        QPlainTextEdit::insertFromMimeData(source);
        return;
    }
    QStringList problems;
    const QList<NamedImage> images = imagesFromMimeData(source, &problems);
    Q_EMIT imagesReceived(images, problems);
}

} // namespace vora::ui
