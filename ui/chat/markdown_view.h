#pragma once
// Renders chat markdown: prose through QTextDocument's markdown (headings, lists, tables, links,
// inline code) and each fenced code block as a CodeBlockView. Re-setting the text while an answer
// streams only touches the blocks that changed. GUI thread only.
#include "ui/chat/markdown_blocks.h"

#include <QWidget>

class QVBoxLayout;

namespace vora::ui {

class CodeHighlighting;

class MarkdownView : public QWidget {
    Q_OBJECT
public:
    // highlighting must outlive the view.
    explicit MarkdownView(const CodeHighlighting* highlighting, QWidget* parent = nullptr);

    void setMarkdown(const QString& markdown);
    QString markdown() const { return m_markdown; }

private:
    struct Part {
        MarkdownBlock block;
        QWidget* widget = nullptr;
    };
    QWidget* makeWidget(const MarkdownBlock& block);
    void updateWidget(Part& part, const MarkdownBlock& block);

    const CodeHighlighting* m_highlighting;
    QVBoxLayout* m_layout;
    QList<Part> m_parts;
    QString m_markdown;
};

} // namespace vora::ui
