#include "ui/chat/message_widget.h"

#include "ui/chat/markdown_view.h"
#include "ui/common/app_icon.h"
#include "ui/common/icon_button.h"
#include "ui/common/theme.h"
#include "ui/common/tone_label.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace vora::ui {
namespace {

using vora::app::MessageState;

constexpr int kAvatar = 28;
constexpr int kImageSide = 180;

// The user's bubble: a rounded rectangle tinted with the accent, painted from the palette.
class Bubble : public QWidget {
public:
    using QWidget::QWidget;

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        QPainterPath path;
        path.addRoundedRect(QRectF(rect()), 14, 14);
        painter.fillPath(path, bubbleColor(palette()));
    }
};

QString statsText(const vora::core::GenerationStats& stats)
{
    return QObject::tr("%1 tokens · %2 tok/s · first token %3 ms · %4")
        .arg(stats.generatedTokens)
        .arg(stats.decodeTokensPerSecond, 0, 'f', 1)
        .arg(stats.timeToFirstTokenMs, 0, 'f', 0)
        .arg(stopReasonText(stats.stopReason));
}

QPixmap thumbnail(const QString& path, int side, qreal ratio)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QImage image = reader.read();
    if (image.isNull()) {
        return {};
    }
    QPixmap pixmap = QPixmap::fromImage(image.scaled(QSize(side, side) * ratio, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    pixmap.setDevicePixelRatio(ratio);
    return pixmap;
}

} // namespace

QString stopReasonText(vora::core::StopReason reason)
{
    switch (reason) {
    case vora::core::StopReason::Eos: return QObject::tr("end of answer");
    case vora::core::StopReason::Length: return QObject::tr("length limit");
    case vora::core::StopReason::StopString: return QObject::tr("stop string");
    case vora::core::StopReason::Cancelled: return QObject::tr("stopped");
    }
    return {};
}

MessageWidget::MessageWidget(const CodeHighlighting* highlighting, QWidget* parent)
    : QFrame(parent)
    , m_highlighting(highlighting)
{
    setObjectName(QStringLiteral("message"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
}

void MessageWidget::build(bool assistant)
{
    m_built = true;
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 6, 0, 2);
    outer->setSpacing(2);
    auto* row = new QHBoxLayout;
    row->setSpacing(10);
    auto* column = new QVBoxLayout;
    column->setSpacing(6);
    m_images = new QHBoxLayout;
    m_images->setSpacing(6);
    m_state = new ToneLabel(ToneLabel::Tone::Secondary, this);
    m_state->setObjectName(QStringLiteral("messageState"));
    m_notice = new ToneLabel(ToneLabel::Tone::Warning, this);
    m_notice->setObjectName(QStringLiteral("messageNotice"));
    m_notice->setWordWrap(true);
    m_notice->hide();
    m_error = new ToneLabel(ToneLabel::Tone::Error, this);
    m_error->setObjectName(QStringLiteral("messageError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();

    if (assistant) {
        auto* avatar = new QLabel(this);
        avatar->setPixmap(appIconPixmap(kAvatar));
        avatar->setFixedSize(kAvatar, kAvatar);
        row->addWidget(avatar, 0, Qt::AlignTop);
        auto* header = new QHBoxLayout;
        m_author = new QLabel(tr("Assistant"), this);
        QFont bold = m_author->font();
        bold.setBold(true);
        m_author->setFont(bold);
        header->addWidget(m_author);
        header->addWidget(m_state);
        header->addStretch(1);
        column->addLayout(header);
        column->addLayout(m_images);
        m_markdown = new MarkdownView(m_highlighting, this);
        column->addWidget(m_markdown);
        column->addWidget(m_notice);
        column->addWidget(m_error);
        row->addLayout(column, 1);
    } else {
        m_bubble = new Bubble(this);
        m_bubble->setObjectName(QStringLiteral("userBubble"));
        m_bubble->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Minimum);
        auto* inside = new QVBoxLayout(m_bubble);
        inside->setContentsMargins(14, 10, 14, 10);
        inside->setSpacing(8);
        inside->addLayout(m_images);
        m_plain = new QLabel(m_bubble);
        m_plain->setObjectName(QStringLiteral("userText"));
        m_plain->setAccessibleName(tr("Message text"));
        m_plain->setTextFormat(Qt::PlainText);
        m_plain->setWordWrap(true);
        m_plain->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        inside->addWidget(m_plain);
        row->addStretch(1);
        row->addWidget(m_bubble);
        column->addWidget(m_state, 0, Qt::AlignRight);
        column->addWidget(m_error);
        row->addLayout(column);
    }
    outer->addLayout(row);
    outer->addWidget(buildEditor());
    outer->addWidget(buildActions());
}

QWidget* MessageWidget::buildActions()
{
    const bool assistant = m_markdown != nullptr;
    auto* actions = new QWidget(this);
    auto* layout = new QHBoxLayout(actions);
    layout->setContentsMargins(assistant ? kAvatar + 4 : 0, 0, 0, 0);
    layout->setSpacing(0);
    m_stats = new ToneLabel(ToneLabel::Tone::Secondary, actions);
    m_stats->setObjectName(QStringLiteral("messageStats"));
    m_copy = new IconButton(QStringLiteral("copy"), tr("Copy message"), actions);
    m_copy->setObjectName(QStringLiteral("copyMessageButton"));
    m_regenerate = new IconButton(QStringLiteral("regenerate"), tr("Regenerate answer"), actions);
    m_regenerate->setObjectName(QStringLiteral("regenerateButton"));
    m_attention = new IconButton(QStringLiteral("zoom"), tr("Where the model looked (Ctrl+Shift+A)"), actions);
    m_attention->setObjectName(QStringLiteral("attentionButton"));
    m_attention->setVisible(false);
    m_edit = new IconButton(QStringLiteral("edit"), tr("Edit and resend message"), actions);
    m_edit->setObjectName(QStringLiteral("editButton"));
    if (!assistant) {
        layout->addStretch(1);
    }
    for (IconButton* button : {m_copy, m_regenerate, m_attention, m_edit}) {
        layout->addWidget(button);
    }
    if (assistant) {
        layout->addSpacing(8);
        layout->addWidget(m_stats);
        layout->addStretch(1);
    }
    m_regenerate->setVisible(assistant);
    m_edit->setVisible(!assistant);
    m_stats->setVisible(false);
    connect(m_copy, &IconButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(m_message.text); });
    connect(m_regenerate, &IconButton::clicked, this, &MessageWidget::regenerateRequested);
    connect(m_attention, &IconButton::clicked, this, &MessageWidget::attentionRequested);
    connect(m_edit, &IconButton::clicked, this, &MessageWidget::startEditing);
    return actions;
}

QWidget* MessageWidget::buildEditor()
{
    m_editor = new QWidget(this);
    auto* layout = new QVBoxLayout(m_editor);
    layout->setContentsMargins(0, 0, 0, 0);
    m_editText = new QPlainTextEdit(m_editor);
    m_editText->setObjectName(QStringLiteral("editMessageText"));
    m_editText->setAccessibleName(tr("Edited message"));
    m_editText->setMaximumHeight(120);
    layout->addWidget(m_editText);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    auto* cancel = new QPushButton(tr("Cancel"), m_editor);
    cancel->setAccessibleName(tr("Cancel editing"));
    auto* resend = new QPushButton(tr("Save && send"), m_editor);
    resend->setObjectName(QStringLiteral("resendButton"));
    resend->setAccessibleName(tr("Save and resend message"));
    resend->setDefault(true);
    buttons->addWidget(cancel);
    buttons->addWidget(resend);
    layout->addLayout(buttons);
    connect(cancel, &QPushButton::clicked, m_editor, &QWidget::hide);
    connect(resend, &QPushButton::clicked, this, [this] {
        m_editor->hide();
        Q_EMIT editSubmitted(m_editText->toPlainText());
    });
    m_editor->hide();
    return m_editor;
}

void MessageWidget::setMessage(const vora::app::ChatMessage& message)
{
    const bool assistant = message.role == QLatin1String("assistant");
    if (!m_built) {
        build(assistant);
    }
    m_message = message;
    setProperty("messageRole", message.role);
    m_attention->setVisible(assistant && message.hasAttention);
    if (m_markdown) {
        m_markdown->setMarkdown(message.text);
    } else if (m_plain->text() != message.text) {
        m_plain->setText(message.text);
    }
    if (m_plain) {
        m_plain->setVisible(!message.text.isEmpty());
    }
    updateImages();
    updateStatus();
    updateActionVisibility();
    fitBubble();
}

void MessageWidget::setActionsBlocked(const QString& reason)
{
    m_blockedReason = reason;
    const bool blocked = !reason.isEmpty();
    m_regenerate->setEnabled(!blocked);
    m_regenerate->setToolTip(blocked ? tr("Regenerate answer: %1").arg(reason) : tr("Regenerate answer"));
    m_edit->setEnabled(!blocked);
    m_edit->setToolTip(blocked ? tr("Edit and resend: %1").arg(reason) : tr("Edit and resend message"));
}

void MessageWidget::setActionsAlwaysShown(bool shown)
{
    m_alwaysShown = shown;
    updateActionVisibility();
}

bool MessageWidget::actionsRevealed() const
{
    return !m_copy->isConcealed();
}

void MessageWidget::updateActionVisibility()
{
    const bool revealed = m_alwaysShown || m_hovered;
    for (IconButton* button : {m_copy, m_regenerate, m_edit}) {
        button->setConcealed(!revealed);
    }
}

void MessageWidget::enterEvent(QEnterEvent* event)
{
    m_hovered = true;
    updateActionVisibility();
    QFrame::enterEvent(event);
}

void MessageWidget::leaveEvent(QEvent* event)
{
    m_hovered = false;
    updateActionVisibility();
    QFrame::leaveEvent(event);
}

void MessageWidget::resizeEvent(QResizeEvent* event)
{
    fitBubble();
    QFrame::resizeEvent(event);
}

void MessageWidget::fitBubble()
{
    if (!m_bubble) {
        return;
    }
    // Your messages keep to the right, as wide as their longest line up to 80% of the column; a wrapped
    // label alone would pick a narrow column of its own.
    const int maxBubble = std::max(200, width() * 4 / 5);
    const int margins = m_bubble->layout()->contentsMargins().left() + m_bubble->layout()->contentsMargins().right();
    int ideal = 0;
    for (const QString& line : m_message.text.split(QLatin1Char('\n'))) {
        ideal = std::max(ideal, m_plain->fontMetrics().horizontalAdvance(line) + 2);
    }
    m_bubble->setMaximumWidth(maxBubble);
    m_plain->setMinimumWidth(std::min(ideal, maxBubble - margins));
}

void MessageWidget::updateImages()
{
    if (m_shownImages == m_message.imagePaths) {
        return;
    }
    m_shownImages = m_message.imagePaths;
    while (QLayoutItem* item = m_images->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    if (m_message.imagePaths.isEmpty()) {
        return;
    }
    if (m_bubble) {
        m_images->addStretch(1);
    }
    for (qsizetype i = 0; i < m_message.imagePaths.size(); ++i) {
        const QString path = m_message.imagePaths.at(i);
        auto* image = new QToolButton(this);
        image->setObjectName(QStringLiteral("messageImage"));
        image->setAccessibleName(tr("Image %1: open the image viewer").arg(i + 1));
        image->setToolTip(tr("Click to compare the image with what the model sees"));
        image->setAutoRaise(true);
        image->setCursor(Qt::PointingHandCursor);
        const QPixmap pixmap = thumbnail(path, kImageSide, devicePixelRatioF());
        if (pixmap.isNull()) {
            image->setText(tr("(image missing)"));
        } else {
            image->setIcon(pixmap);
            image->setIconSize(pixmap.deviceIndependentSize().toSize());
        }
        connect(image, &QToolButton::clicked, this, [this, path] { Q_EMIT imageClicked(path); });
        m_images->addWidget(image);
    }
    if (!m_bubble) {
        m_images->addStretch(1);
    }
}

void MessageWidget::updateStatus()
{
    switch (m_message.state) {
    case MessageState::Streaming: m_state->setText(m_message.text.isEmpty() ? tr("thinking…") : tr("writing…")); break;
    case MessageState::Stopped: m_state->setText(tr("stopped")); break;
    case MessageState::Error: m_state->setText(tr("failed")); break;
    case MessageState::Complete: m_state->clear(); break;
    }
    m_state->setVisible(!m_state->text().isEmpty());
    m_error->setVisible(m_message.state == MessageState::Error);
    m_error->setText(tr("This answer could not be generated: %1").arg(m_message.error));
    m_notice->setVisible(!m_message.notice.isEmpty());
    m_notice->setText(m_message.notice);
    m_stats->setVisible(m_message.stats.has_value());
    if (m_message.stats) {
        m_stats->setText(statsText(*m_message.stats));
    }
    m_copy->setEnabled(!m_message.text.isEmpty());
    m_copy->setToolTip(m_message.text.isEmpty() ? tr("Nothing to copy yet") : tr("Copy message"));
}

void MessageWidget::startEditing()
{
    m_editText->setPlainText(m_message.text);
    m_editor->show();
    m_editText->setFocus();
}

} // namespace vora::ui
