#include "ui/chat/message_widget.h"

#include "ui/chat/auto_height_text_browser.h"
#include "ui/chat/markdown_view.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace vora::ui {
namespace {

using vora::app::MessageState;

QString statsText(const vora::core::GenerationStats& stats)
{
    return QObject::tr("%1 tokens · %2 tok/s · first token %3 ms")
        .arg(stats.generatedTokens)
        .arg(stats.decodeTokensPerSecond, 0, 'f', 1)
        .arg(stats.timeToFirstTokenMs, 0, 'f', 0);
}

QPixmap thumbnail(const QString& path, int side)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QImage image = reader.read();
    return image.isNull() ? QPixmap()
                          : QPixmap::fromImage(image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

} // namespace

MessageWidget::MessageWidget(const CodeHighlighting* highlighting, QWidget* parent)
    : QFrame(parent)
    , m_highlighting(highlighting)
    , m_author(new QLabel(this))
    , m_state(new QLabel(this))
    , m_images(new QHBoxLayout)
    , m_error(new QLabel(this))
    , m_stats(new QLabel(this))
{
    setObjectName(QStringLiteral("message"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 8, 14, 8);
    layout->setSpacing(4);
    auto* header = new QHBoxLayout;
    QFont bold = m_author->font();
    bold.setBold(true);
    m_author->setFont(bold);
    m_state->setObjectName(QStringLiteral("messageState"));
    header->addWidget(m_author);
    header->addWidget(m_state);
    header->addStretch(1);
    layout->addLayout(header);
    m_images->setSpacing(6);
    layout->addLayout(m_images);
    m_error->setObjectName(QStringLiteral("messageError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->hide();
    m_stats->setObjectName(QStringLiteral("messageStats"));
    m_stats->setEnabled(false);
    layout->addWidget(m_error);
    layout->addWidget(buildEditor());
    layout->addWidget(buildActions());
}

QWidget* MessageWidget::buildActions()
{
    auto* row = new QWidget(this);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stats);
    layout->addStretch(1);
    const auto button = [&](const QString& text, const QString& accessible, const char* name) {
        auto* action = new QPushButton(text, row);
        action->setObjectName(QLatin1String(name));
        action->setAccessibleName(accessible);
        action->setFlat(true);
        layout->addWidget(action);
        return action;
    };
    m_copy = button(tr("Copy"), tr("Copy message"), "copyMessageButton");
    m_regenerate = button(tr("Regenerate"), tr("Regenerate answer"), "regenerateButton");
    m_edit = button(tr("Edit"), tr("Edit and resend message"), "editButton");
    connect(m_copy, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(m_message.text); });
    connect(m_regenerate, &QPushButton::clicked, this, &MessageWidget::regenerateRequested);
    connect(m_edit, &QPushButton::clicked, this, &MessageWidget::startEditing);
    return row;
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
    m_message = message;
    m_author->setText(assistant ? tr("Assistant") : message.role == QLatin1String("user") ? tr("You") : message.role);
    setProperty("messageRole", message.role);
    setAutoFillBackground(!assistant);
    setBackgroundRole(assistant ? QPalette::Base : QPalette::AlternateBase);
    auto* layout = static_cast<QVBoxLayout*>(this->layout());
    if (assistant && !m_markdown) {
        m_markdown = new MarkdownView(m_highlighting, this);
        layout->insertWidget(2, m_markdown);
    } else if (!assistant && !m_plain) {
        m_plain = new AutoHeightTextBrowser(this);
        m_plain->setObjectName(QStringLiteral("userText"));
        m_plain->setAccessibleName(tr("Message text"));
        layout->insertWidget(2, m_plain);
    }
    if (m_markdown) {
        m_markdown->setMarkdown(message.text);
    } else if (m_plain->toPlainText() != message.text) {
        m_plain->setPlainText(message.text);
    }
    if (m_plain) {
        m_plain->setVisible(!message.text.isEmpty());
    }
    m_regenerate->setVisible(assistant);
    m_edit->setVisible(message.role == QLatin1String("user"));
    updateImages();
    updateStatus();
}

void MessageWidget::setActionsEnabled(bool enabled)
{
    m_regenerate->setEnabled(enabled);
    m_edit->setEnabled(enabled);
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
    for (const QString& path : m_message.imagePaths) {
        auto* image = new QLabel(this);
        image->setObjectName(QStringLiteral("messageImage"));
        image->setAccessibleName(tr("Attached image"));
        const QPixmap pixmap = thumbnail(path, 160);
        image->setPixmap(pixmap);
        if (pixmap.isNull()) {
            image->setText(tr("(image missing)"));
        }
        image->setToolTip(path);
        m_images->addWidget(image);
    }
    m_images->addStretch(1);
}

void MessageWidget::updateStatus()
{
    switch (m_message.state) {
    case MessageState::Streaming: m_state->setText(m_message.text.isEmpty() ? tr("thinking…") : tr("writing…")); break;
    case MessageState::Stopped: m_state->setText(tr("stopped")); break;
    case MessageState::Error: m_state->setText(tr("failed")); break;
    case MessageState::Complete: m_state->clear(); break;
    }
    m_error->setVisible(m_message.state == MessageState::Error);
    m_error->setText(tr("This answer could not be generated: %1").arg(m_message.error));
    m_stats->setVisible(m_message.stats.has_value());
    if (m_message.stats) {
        m_stats->setText(statsText(*m_message.stats));
    }
    m_copy->setEnabled(!m_message.text.isEmpty());
}

void MessageWidget::startEditing()
{
    m_editText->setPlainText(m_message.text);
    m_editor->show();
    m_editText->setFocus();
}

} // namespace vora::ui
