#include "ui/composer/composer_edit.h"

#include "ui/composer/image_mime.h"

#include <QKeyEvent>
#include <QMimeData>

namespace vora::ui {

ComposerEdit::ComposerEdit(QWidget* parent)
    : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("composerEdit"));
    setAccessibleName(tr("Message"));
    setTabChangesFocus(true);
}

QSize ComposerEdit::sizeHint() const
{
    return {QPlainTextEdit::sizeHint().width(), fontMetrics().lineSpacing() * 3 + 16};
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
    const QList<QByteArray> images = imagesFromMimeData(source, &problems);
    Q_EMIT imagesReceived(images, problems);
}

} // namespace vora::ui
