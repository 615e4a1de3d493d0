#include "ui/chat/markdown_blocks.h"

#include <QStringList>

namespace vora::ui {
namespace {

// A fence opens with at least three backticks or tildes, indented by at most three spaces.
bool isFence(const QString& line, QString* marker, QString* info)
{
    qsizetype indent = 0;
    while (indent < line.size() && line.at(indent) == QLatin1Char(' ')) {
        ++indent;
    }
    if (indent > 3) {
        return false;
    }
    const QString trimmed = line.trimmed();
    for (const QChar fenceChar : {QLatin1Char('`'), QLatin1Char('~')}) {
        qsizetype count = 0;
        while (count < trimmed.size() && trimmed.at(count) == fenceChar) {
            ++count;
        }
        if (count >= 3) {
            *marker = trimmed.left(count);
            *info = trimmed.mid(count).trimmed().section(QLatin1Char(' '), 0, 0);
            return true;
        }
    }
    return false;
}

void flushProse(QList<MarkdownBlock>& blocks, QStringList& lines)
{
    const QString text = lines.join(QLatin1Char('\n'));
    if (!text.trimmed().isEmpty()) {
        blocks.append({MarkdownBlock::Kind::Prose, text, {}});
    }
    lines.clear();
}

} // namespace

QList<MarkdownBlock> splitMarkdown(const QString& markdown)
{
    QList<MarkdownBlock> blocks;
    QStringList prose;
    QStringList code;
    QString openMarker;
    QString language;
    for (const QString& line : markdown.split(QLatin1Char('\n'))) {
        QString marker;
        QString info;
        if (openMarker.isEmpty()) {
            if (isFence(line, &marker, &info)) {
                flushProse(blocks, prose);
                openMarker = marker;
                language = info;
            } else {
                prose.append(line);
            }
        } else if (isFence(line, &marker, &info) && info.isEmpty() && marker.startsWith(openMarker)) {
            blocks.append({MarkdownBlock::Kind::Code, code.join(QLatin1Char('\n')), language});
            code.clear();
            openMarker.clear();
        } else {
            code.append(line);
        }
    }
    if (!openMarker.isEmpty()) {
        blocks.append({MarkdownBlock::Kind::Code, code.join(QLatin1Char('\n')), language});
    }
    flushProse(blocks, prose);
    return blocks;
}

} // namespace vora::ui
