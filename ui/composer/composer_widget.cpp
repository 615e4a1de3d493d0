#include "ui/composer/composer_widget.h"

#include "ui/common/icon_button.h"
#include "ui/common/theme.h"
#include "ui/common/tone_label.h"
#include "ui/composer/attachment_strip.h"
#include "ui/composer/composer_edit.h"
#include "ui/composer/context_meter_widget.h"
#include "ui/composer/image_viewer_dialog.h"

#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

namespace vora::ui {
namespace {
constexpr int kCardMargin = 1;
constexpr int kNoticeGap = 4;
} // namespace

ComposerWidget::ComposerWidget(QWidget* parent)
    : QWidget(parent)
    , m_attachments(new AttachmentStrip(this))
    , m_edit(new ComposerEdit(this))
    , m_attach(new IconButton(QStringLiteral("attach"), tr("Attach images"), this))
    , m_settings(new IconButton(QStringLiteral("sliders"), tr("Chat settings"), this))
    , m_meter(new ContextMeterWidget(this))
    , m_send(new IconButton(QStringLiteral("send"), tr("Send message"), this, IconButton::Kind::Primary))
    , m_notice(new ToneLabel(ToneLabel::Tone::Warning, this))
{
    setObjectName(QStringLiteral("composer"));
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(kNoticeGap);
    auto* card = new QVBoxLayout;
    card->setContentsMargins(12, 8, 8, 8);
    card->setSpacing(4);
    card->addWidget(m_attachments);
    m_edit->setFrameShape(QFrame::NoFrame);
    m_edit->viewport()->setAutoFillBackground(false);
    card->addWidget(m_edit);
    auto* row = new QHBoxLayout;
    row->setSpacing(2);
    m_attach->setObjectName(QStringLiteral("attachButton"));
    m_attach->setToolTip(tr("Attach images (or drop or paste them)"));
    m_settings->setObjectName(QStringLiteral("settingsButton"));
    m_settings->setToolTip(tr("System prompt and sampling settings of this chat"));
    m_send->setObjectName(QStringLiteral("sendButton"));
    row->addWidget(m_attach);
    row->addWidget(m_settings);
    row->addStretch(1);
    row->addWidget(m_meter);
    row->addSpacing(6);
    row->addWidget(m_send);
    card->addLayout(row);
    outer->addLayout(card);
    m_notice->setObjectName(QStringLiteral("composerNotice"));
    m_notice->setWordWrap(true);
    m_notice->setVisible(false);
    outer->addWidget(m_notice);
    m_edit->installEventFilter(this);

    connect(m_attach, &IconButton::clicked, this, &ComposerWidget::chooseImages);
    connect(m_settings, &IconButton::clicked, this, &ComposerWidget::settingsRequested);
    connect(m_send, &IconButton::clicked, this, [this] { m_generating ? Q_EMIT stopRequested() : submit(); });
    connect(m_edit, &ComposerEdit::submitted, this, &ComposerWidget::submit);
    connect(m_edit, &ComposerEdit::imagesReceived, this,
            [this](const QList<NamedImage>& images, const QStringList& problems) { addImages(images, problems); });
    const auto draftChanged = [this] {
        updateSendButton();
        updateNotice();
        Q_EMIT this->draftChanged(text(), m_attachments->count());
    };
    connect(m_edit, &QPlainTextEdit::textChanged, this, draftChanged);
    connect(m_attachments, &AttachmentStrip::countChanged, this, draftChanged);
    connect(m_attachments, &AttachmentStrip::previewRequested, this, &ComposerWidget::showImage);
    setCanSend(false, tr("Open a model to start a conversation"));
}

QRect ComposerWidget::cardRect() const
{
    const int notice = m_notice->isVisible() ? m_notice->height() + kNoticeGap : 0;
    return rect().adjusted(kCardMargin, kCardMargin, -kCardMargin, -kCardMargin - notice);
}

void ComposerWidget::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette& p = palette();
    QPainterPath path;
    path.addRoundedRect(QRectF(cardRect()).adjusted(0.5, 0.5, -0.5, -0.5), 14, 14);
    painter.fillPath(path, p.color(QPalette::Base));
    const bool focused = m_edit->hasFocus();
    painter.setPen(QPen(focused ? accentColor(p) : subtleBorder(p), focused ? 2 : 1));
    painter.drawPath(path);
}

bool ComposerWidget::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_edit && (event->type() == QEvent::FocusIn || event->type() == QEvent::FocusOut)) {
        update(); // the card's border shows where the keyboard is
    }
    return QWidget::eventFilter(watched, event);
}

void ComposerWidget::setCanSend(bool canSend, const QString& placeholder)
{
    m_canSend = canSend;
    if (m_edit->placeholderText() != placeholder) {
        m_edit->setPlaceholderText(placeholder);
        // QPlainTextEdit does not repaint for a new placeholder: without this the old one stays on screen.
        m_edit->viewport()->update();
    }
    updateSendButton();
}

void ComposerWidget::setGenerating(bool generating)
{
    m_generating = generating;
    updateSendButton();
}

void ComposerWidget::setModelGeometry(int imageSize, int patchSize, bool modelSees)
{
    m_imageSize = imageSize;
    m_patchSize = patchSize;
    m_modelSees = modelSees;
    updateSendButton();
    updateNotice();
}

void ComposerWidget::setContextUsage(const vora::app::ContextUsage& usage)
{
    m_meter->setUsage(usage);
    m_contextFull = usage.full();
    updateNotice();
}

bool ComposerWidget::imagesUnseen() const
{
    return !m_modelSees && m_attachments->count() > 0;
}

void ComposerWidget::updateNotice()
{
    // Images a text-only model cannot read come first: they block sending; the context line only warns
    // unless it is full.
    const QString notice = imagesUnseen()
        ? tr("This model reads text only: remove the images to send, or open a VoRA model that sees them.")
        : m_meter->notice();
    m_notice->setTone(imagesUnseen() || m_contextFull ? ToneLabel::Tone::Error : ToneLabel::Tone::Warning);
    m_notice->setText(notice);
    m_notice->setVisible(!notice.isEmpty());
    update();
}

void ComposerWidget::addImages(const QList<NamedImage>& images, const QStringList& problems)
{
    QStringList all = problems;
    if (m_attachments->add(images) < images.size()) {
        all.append(tr("Some of the images could not be decoded."));
    }
    if (!all.isEmpty()) {
        Q_EMIT problem(tr("Some files were not attached"), all.join(QLatin1Char('\n')));
    }
}

void ComposerWidget::addImageFiles(const QStringList& paths)
{
    QStringList problems;
    const QList<NamedImage> images = readImageFiles(paths, &problems);
    addImages(images, problems);
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
    addImageFiles(files);
}

void ComposerWidget::submit()
{
    if (!m_canSend || m_generating || imagesUnseen() || (text().trimmed().isEmpty() && m_attachments->count() == 0)) {
        return;
    }
    Q_EMIT sendRequested(text(), m_attachments->encodedImages());
}

void ComposerWidget::showImage(int index)
{
    ImageViewerDialog dialog(m_attachments->image(index), m_attachments->names().value(index), m_imageSize, m_patchSize,
                             m_modelSees, this);
    dialog.exec();
}

void ComposerWidget::updateSendButton()
{
    if (m_generating) {
        m_send->setIconName(QStringLiteral("stop"));
        m_send->setAccessibleName(tr("Stop generating"));
        m_send->setToolTip(tr("Stop the answer (Esc)"));
        m_send->setEnabled(true);
        return;
    }
    m_send->setIconName(QStringLiteral("send"));
    m_send->setAccessibleName(tr("Send message"));
    const bool hasContent = !text().trimmed().isEmpty() || m_attachments->count() > 0;
    m_send->setEnabled(m_canSend && hasContent && !imagesUnseen());
    m_send->setToolTip(!m_canSend        ? m_edit->placeholderText()
                       : imagesUnseen() ? tr("This model reads text only: remove the images first")
                       : hasContent     ? tr("Send (Enter; Shift+Enter for a new line)")
                                        : tr("Write a message or attach an image first"));
}

} // namespace vora::ui
