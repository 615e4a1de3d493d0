#pragma once
// The message text field: Enter sends, Shift+Enter starts a new line; pasted or dropped images become
// attachments instead of text. GUI thread only.
#include "ui/composer/image_mime.h"

#include <QPlainTextEdit>

namespace vora::ui {

class ComposerEdit : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit ComposerEdit(QWidget* parent = nullptr);

    QSize sizeHint() const override;

Q_SIGNALS:
    void submitted();
    void imagesReceived(const QList<vora::ui::NamedImage>& images, const QStringList& problems);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    bool canInsertFromMimeData(const QMimeData* source) const override;
    void insertFromMimeData(const QMimeData* source) override;
};

} // namespace vora::ui
