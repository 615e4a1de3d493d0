#include "ui/chat/code_block_view.h"

#include "ui/chat/code_highlighting.h"

#include <KSyntaxHighlighting/SyntaxHighlighter>

#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTextDocument>
#include <QTimer>
#include <QVBoxLayout>

namespace vora::ui {

CodeBlockView::CodeBlockView(const CodeHighlighting* highlighting, QWidget* parent)
    : QFrame(parent)
    , m_highlighting(highlighting)
    , m_language(new QLabel(this))
    , m_copy(new QPushButton(tr("Copy"), this))
    , m_text(new QPlainTextEdit(this))
    , m_highlighter(new KSyntaxHighlighting::SyntaxHighlighter(m_text->document()))
{
    setObjectName(QStringLiteral("codeBlock"));
    setFrameShape(QFrame::StyledPanel);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->setSpacing(2);
    auto* header = new QHBoxLayout;
    m_language->setObjectName(QStringLiteral("codeLanguage"));
    header->addWidget(m_language, 1);
    m_copy->setObjectName(QStringLiteral("copyCodeButton"));
    m_copy->setAccessibleName(tr("Copy code"));
    m_copy->setToolTip(tr("Copy this code block"));
    m_copy->setFlat(true);
    connect(m_copy, &QPushButton::clicked, this, &CodeBlockView::copyToClipboard);
    header->addWidget(m_copy);
    layout->addLayout(header);

    m_text->setObjectName(QStringLiteral("codeText"));
    m_text->setAccessibleName(tr("Code"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setFrameShape(QFrame::NoFrame);
    layout->addWidget(m_text);
    applyTheme();
}

QTextDocument* CodeBlockView::document() const
{
    return m_text->document();
}

void CodeBlockView::setCode(const QString& code, const QString& language)
{
    if (language != m_languageName || m_language->text().isEmpty()) {
        m_languageName = language;
        m_language->setText(language.isEmpty() ? tr("code") : language);
        m_highlighter->setDefinition(m_highlighting->definitionFor(language));
    }
    if (code != m_code) {
        m_code = code;
        m_text->setPlainText(code);
        fitHeight();
    }
}

void CodeBlockView::changeEvent(QEvent* event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyTheme(); // light and dark palettes get the matching highlighting theme
    }
}

void CodeBlockView::resizeEvent(QResizeEvent* event)
{
    QFrame::resizeEvent(event);
    fitHeight();
}

void CodeBlockView::applyTheme()
{
    const KSyntaxHighlighting::Theme theme = m_highlighting->themeFor(palette());
    m_highlighter->setTheme(theme);
    QPalette colours = m_text->palette();
    colours.setColor(QPalette::Base, QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::BackgroundColor)));
    colours.setColor(QPalette::Text, QColor::fromRgba(theme.textColor(KSyntaxHighlighting::Theme::Normal)));
    m_text->setPalette(colours);
    m_highlighter->rehighlight();
}

void CodeBlockView::fitHeight()
{
    const int lines = std::max(1, m_text->document()->blockCount());
    const int margins = static_cast<int>(m_text->document()->documentMargin() * 2) + m_text->frameWidth() * 2;
    // Room for the horizontal scroll bar only when a line is wider than the view.
    int widest = 0;
    for (const QString& line : m_code.split(QLatin1Char('\n'))) {
        widest = std::max(widest, m_text->fontMetrics().horizontalAdvance(line));
    }
    const int available = m_text->viewport()->width() - margins;
    const int scrollBar = widest > available ? m_text->horizontalScrollBar()->sizeHint().height() : 0;
    m_text->setFixedHeight(lines * m_text->fontMetrics().lineSpacing() + margins + scrollBar);
}

void CodeBlockView::copyToClipboard()
{
    QGuiApplication::clipboard()->setText(m_code);
    m_copy->setText(tr("Copied"));
    QTimer::singleShot(1500, m_copy, [button = m_copy] { button->setText(QObject::tr("Copy")); });
}

} // namespace vora::ui
