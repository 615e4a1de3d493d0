#include "ui/composer/composer_widget.h"

#include "ui/composer/attachment_strip.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/image_mime.h"
#include "ui/composer/model_view_dialog.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QImageReader>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace vora::ui {

ComposerWidget::ComposerWidget(QWidget* parent)
    : QWidget(parent)
    , m_attachments(new AttachmentStrip(this))
    , m_edit(new ComposerEdit(this))
    , m_attach(new QToolButton(this))
    , m_settings(new QToolButton(this))
    , m_send(new QPushButton(this))
{
    setObjectName(QStringLiteral("composer"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 6, 12, 10);
    layout->addWidget(m_attachments);
    auto* row = new QHBoxLayout;
    m_attach->setObjectName(QStringLiteral("attachButton"));
    m_attach->setText(tr("Image…"));
    m_attach->setIcon(QIcon::fromTheme(QStringLiteral("insert-image")));
    m_attach->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_attach->setAccessibleName(tr("Attach images"));
    m_attach->setToolTip(tr("Attach images (or drop or paste them)"));
    m_settings->setObjectName(QStringLiteral("settingsButton"));
    m_settings->setText(tr("Settings…"));
    m_settings->setAccessibleName(tr("Conversation settings"));
    m_settings->setToolTip(tr("System prompt and sampling settings of this conversation"));
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setDefault(true);
    m_edit->setMaximumHeight(120);
    row->addWidget(m_attach, 0, Qt::AlignBottom);
    row->addWidget(m_edit, 1);
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_settings);
    buttons->addWidget(m_send);
    row->addLayout(buttons);
    layout->addLayout(row);

    connect(m_attach, &QToolButton::clicked, this, &ComposerWidget::chooseImages);
    connect(m_settings, &QToolButton::clicked, this, &ComposerWidget::settingsRequested);
    connect(m_send, &QPushButton::clicked, this, [this] { m_generating ? Q_EMIT stopRequested() : submit(); });
    connect(m_edit, &ComposerEdit::submitted, this, &ComposerWidget::submit);
    connect(m_edit, &ComposerEdit::imagesReceived, this,
            [this](const QList<QByteArray>& images, const QStringList& problems) { addImages(images, problems); });
    connect(m_edit, &QPlainTextEdit::textChanged, this, &ComposerWidget::updateSendButton);
    connect(m_attachments, &AttachmentStrip::countChanged, this, &ComposerWidget::updateSendButton);
    connect(m_attachments, &AttachmentStrip::previewRequested, this, &ComposerWidget::showModelView);
    setCanSend(false, tr("Open a model to start a conversation"));
}

void ComposerWidget::setCanSend(bool canSend, const QString& placeholder)
{
    m_canSend = canSend;
    m_edit->setPlaceholderText(placeholder);
    updateSendButton();
}

void ComposerWidget::setGenerating(bool generating)
{
    m_generating = generating;
    updateSendButton();
}

void ComposerWidget::setModelGeometry(int imageSize, int patchSize)
{
    m_imageSize = imageSize;
    m_patchSize = patchSize;
}

void ComposerWidget::addImages(const QList<QByteArray>& encodedImages, const QStringList& problems)
{
    QStringList all = problems;
    if (m_attachments->add(encodedImages) < encodedImages.size()) {
        all.append(tr("Some of the images could not be decoded."));
    }
    if (!all.isEmpty()) {
        Q_EMIT problem(tr("Some files were not attached"), all.join(QLatin1Char('\n')));
    }
}

void ComposerWidget::clear()
{
    m_edit->clear();
    m_attachments->clear();
}

void ComposerWidget::focusText()
{
    m_edit->setFocus(Qt::ShortcutFocusReason);
}

QString ComposerWidget::text() const
{
    return m_edit->toPlainText();
}

void ComposerWidget::chooseImages()
{
    QStringList patterns;
    for (const QByteArray& format : QImageReader::supportedImageFormats()) {
        patterns.append(QStringLiteral("*.") + QString::fromLatin1(format));
    }
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Attach images"), {},
                                                            tr("Images (%1)").arg(patterns.join(QLatin1Char(' '))));
    QList<QByteArray> images;
    QStringList problems;
    for (const QString& file : files) {
        QString problemText;
        const QByteArray bytes = readImageFile(file, &problemText);
        if (bytes.isEmpty()) {
            problems.append(problemText);
        } else {
            images.append(bytes);
        }
    }
    addImages(images, problems);
}

void ComposerWidget::submit()
{
    if (!m_canSend || m_generating || (text().trimmed().isEmpty() && m_attachments->count() == 0)) {
        return;
    }
    Q_EMIT sendRequested(text(), m_attachments->encodedImages());
}

void ComposerWidget::showModelView(int index)
{
    ModelViewDialog dialog(m_attachments->image(index), m_imageSize, m_patchSize, this);
    dialog.exec();
}

void ComposerWidget::updateSendButton()
{
    if (m_generating) {
        m_send->setText(tr("Stop"));
        m_send->setIcon(QIcon::fromTheme(QStringLiteral("process-stop")));
        m_send->setAccessibleName(tr("Stop generating"));
        m_send->setToolTip(tr("Stop the answer (Esc)"));
        m_send->setEnabled(true);
        return;
    }
    m_send->setText(tr("Send"));
    m_send->setIcon(QIcon::fromTheme(QStringLiteral("document-send")));
    m_send->setAccessibleName(tr("Send message"));
    m_send->setToolTip(m_canSend ? tr("Send (Enter; Shift+Enter for a new line)") : m_edit->placeholderText());
    m_send->setEnabled(m_canSend && (!text().trimmed().isEmpty() || m_attachments->count() > 0));
}

} // namespace vora::ui
