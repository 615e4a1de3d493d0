#pragma once
// Splits chat markdown into prose and fenced code blocks, so prose renders through QTextDocument's
// markdown and each code block gets its own highlighted view with a copy button. An unterminated
// fence (an answer still streaming) counts as a code block up to the end. Any thread.
#include <QList>
#include <QString>

namespace vora::ui {

struct MarkdownBlock {
    enum class Kind { Prose, Code };
    Kind kind = Kind::Prose;
    QString text;     // prose markdown, or the code without its fences
    QString language; // the fence's info word ("cpp"), code blocks only

    bool operator==(const MarkdownBlock&) const = default;
};

QList<MarkdownBlock> splitMarkdown(const QString& markdown);

} // namespace vora::ui
