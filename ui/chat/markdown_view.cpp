#include "ui/chat/markdown_view.h"

#include "ui/chat/auto_height_text_browser.h"
#include "ui/chat/code_block_view.h"

#include <QTextFrame>
#include <QTextTable>
#include <QVBoxLayout>

namespace vora::ui {
namespace {

// QTextDocument's markdown import draws tables without rules; give them thin borders and padding.
void styleTables(QTextDocument* document)
{
    for (QTextFrame* frame : document->rootFrame()->childFrames()) {
        if (auto* table = qobject_cast<QTextTable*>(frame)) {
            QTextTableFormat format = table->format();
            format.setBorder(1);
            format.setBorderStyle(QTextFrameFormat::BorderStyle_Solid);
            format.setBorderBrush(QColor(170, 170, 170));
            format.setBorderCollapse(false);
            format.setCellPadding(4);
            format.setCellSpacing(0);
            table->setFormat(format);
        }
    }
}

void setProse(QTextBrowser* browser, const QString& markdown)
{
    browser->setMarkdown(markdown);
    styleTables(browser->document());
}

} // namespace

MarkdownView::MarkdownView(const CodeHighlighting* highlighting, QWidget* parent)
    : QWidget(parent)
    , m_highlighting(highlighting)
    , m_layout(new QVBoxLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(6);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
}

void MarkdownView::setMarkdown(const QString& markdown)
{
    if (markdown == m_markdown && !m_parts.isEmpty()) {
        return;
    }
    m_markdown = markdown;
    const QList<MarkdownBlock> blocks = splitMarkdown(markdown);
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        if (i < m_parts.size() && m_parts.at(i).block.kind == blocks.at(i).kind) {
            updateWidget(m_parts[i], blocks.at(i));
            continue;
        }
        if (i < m_parts.size()) {
            delete m_parts.at(i).widget;
            m_parts.remove(i);
        }
        Part part{blocks.at(i), makeWidget(blocks.at(i))};
        m_layout->insertWidget(static_cast<int>(i), part.widget);
        m_parts.insert(i, part);
    }
    while (m_parts.size() > blocks.size()) {
        delete m_parts.takeLast().widget;
    }
}

QWidget* MarkdownView::makeWidget(const MarkdownBlock& block)
{
    if (block.kind == MarkdownBlock::Kind::Code) {
        auto* view = new CodeBlockView(m_highlighting, this);
        view->setCode(block.text, block.language);
        return view;
    }
    auto* browser = new AutoHeightTextBrowser(this);
    browser->setObjectName(QStringLiteral("markdownText"));
    browser->setAccessibleName(tr("Message text"));
    setProse(browser, block.text);
    return browser;
}

void MarkdownView::updateWidget(Part& part, const MarkdownBlock& block)
{
    if (part.block == block) {
        return;
    }
    part.block = block;
    if (block.kind == MarkdownBlock::Kind::Code) {
        static_cast<CodeBlockView*>(part.widget)->setCode(block.text, block.language);
    } else {
        setProse(static_cast<AutoHeightTextBrowser*>(part.widget), block.text);
    }
}

} // namespace vora::ui
