#include "ui/chat/code_block_view.h"
#include "ui/chat/code_highlighting.h"
#include "ui/chat/markdown_blocks.h"
#include "ui/chat/markdown_view.h"

#include <QApplication>
#include <QClipboard>
#include <QPushButton>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextFrame>
#include <QTextLayout>
#include <QTextTable>

using vora::ui::MarkdownBlock;

namespace {

// The foreground of the character at position in block, as the highlighter painted it.
QColor foregroundAt(const QTextBlock& block, int position)
{
    const QList<QTextLayout::FormatRange> formats = block.layout()->formats();
    for (const QTextLayout::FormatRange& range : formats) {
        if (position >= range.start && position < range.start + range.length && range.format.hasProperty(QTextFormat::ForegroundBrush)) {
            return range.format.foreground().color();
        }
    }
    return block.charFormat().foreground().color();
}

QTextCharFormat formatAt(const QTextBlock& block, int position)
{
    const QList<QTextLayout::FormatRange> formats = block.layout()->formats();
    for (const QTextLayout::FormatRange& range : formats) {
        if (position >= range.start && position < range.start + range.length) {
            return range.format;
        }
    }
    return block.charFormat();
}

} // namespace

class TestMarkdownView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void splitsProseAndFences_data()
    {
        QTest::addColumn<QString>("markdown");
        QTest::addColumn<int>("blocks");
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("code");
        QTest::newRow("prose only") << "# Hi\n\n- a\n- b" << 1 << "" << "";
        QTest::newRow("one fence") << "Text\n```cpp\nint x;\n```\nMore" << 3 << "cpp" << "int x;";
        QTest::newRow("tilde fence") << "~~~python\nprint(1)\n~~~" << 1 << "python" << "print(1)";
        QTest::newRow("unterminated while streaming") << "Look:\n```rust\nfn main() {" << 2 << "rust" << "fn main() {";
        QTest::newRow("longer closing fence") << "````\n```\ninner\n```\n````" << 1 << "" << "```\ninner\n```";
        QTest::newRow("indented four is no fence") << "    ```\ncode" << 1 << "" << "";
    }

    void splitsProseAndFences()
    {
        QFETCH(QString, markdown);
        QFETCH(int, blocks);
        QFETCH(QString, language);
        QFETCH(QString, code);
        const QList<MarkdownBlock> result = vora::ui::splitMarkdown(markdown);
        QCOMPARE(result.size(), blocks);
        for (const MarkdownBlock& block : result) {
            if (block.kind == MarkdownBlock::Kind::Code) {
                QCOMPARE(block.language, language);
                QCOMPARE(block.text, code);
            }
        }
    }

    void aCppFenceIsHighlighted()
    {
        vora::ui::CodeHighlighting highlighting;
        vora::ui::MarkdownView view(&highlighting);
        view.setMarkdown(QStringLiteral("## Count\n\nSee `visionTokens`:\n\n```cpp\nint visionTokens(int imageSize)\n{\n"
                                        "    return imageSize / 14;\n}\n```\n"));
        view.resize(500, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto blocks = view.findChildren<vora::ui::CodeBlockView*>();
        QCOMPARE(blocks.size(), 1);
        QTextDocument* document = blocks.first()->document();
        const QTextBlock signature = document->firstBlock(); // "int visionTokens(int imageSize)"
        QTRY_VERIFY(!signature.layout()->formats().isEmpty());
        const QColor type = foregroundAt(signature, 0);         // "int"
        const QColor parameter = foregroundAt(signature, 21);   // "imageSize"
        QVERIFY2(type != parameter, qPrintable(type.name() + QLatin1Char(' ') + parameter.name()));
        const QTextBlock line = document->findBlockByNumber(2); // "    return imageSize / 14;"
        QCOMPARE(line.text(), QStringLiteral("    return imageSize / 14;"));
        QVERIFY(foregroundAt(line, 23) != foregroundAt(line, 11)); // "14" against "imageSize"
        // Breeze Light paints control flow in the normal colour, but bold.
        QVERIFY(formatAt(line, 4).fontWeight() != formatAt(line, 11).fontWeight());
        // The prose rendered as markdown: the heading is a heading, inline code is monospace.
        auto* prose = view.findChild<QTextBrowser*>(QStringLiteral("markdownText"));
        QVERIFY(prose);
        QVERIFY(prose->document()->firstBlock().blockFormat().headingLevel() == 2);
    }

    void tablesGetRules()
    {
        vora::ui::CodeHighlighting highlighting;
        vora::ui::MarkdownView view(&highlighting);
        view.setMarkdown(QStringLiteral("| size | tokens |\n|---|---|\n| 448 | 1024 |\n"));
        auto* prose = view.findChild<QTextBrowser*>(QStringLiteral("markdownText"));
        QVERIFY(prose);
        QTextTable* table = nullptr;
        for (QTextFrame* frame : prose->document()->rootFrame()->childFrames()) {
            table = table ? table : qobject_cast<QTextTable*>(frame);
        }
        QVERIFY(table);
        QCOMPARE(table->columns(), 2);
        QCOMPARE(table->format().border(), 1.0);
    }

    void theCopyButtonCopiesTheCode()
    {
        vora::ui::CodeHighlighting highlighting;
        vora::ui::CodeBlockView block(&highlighting);
        block.setCode(QStringLiteral("print('hi')"), QStringLiteral("python"));
        block.show();
        QTest::mouseClick(block.findChild<QPushButton*>(QStringLiteral("copyCodeButton")), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("print('hi')"));
    }

    void streamingKeepsFinishedBlocks()
    {
        vora::ui::CodeHighlighting highlighting;
        vora::ui::MarkdownView view(&highlighting);
        view.setMarkdown(QStringLiteral("Intro\n\n```cpp\nint a;"));
        QWidget* firstProse = view.findChild<QTextBrowser*>();
        auto* code = view.findChild<vora::ui::CodeBlockView*>();
        view.setMarkdown(QStringLiteral("Intro\n\n```cpp\nint a;\nint b;\n```\nDone."));
        QCOMPARE(view.findChild<QTextBrowser*>(), firstProse); // the same widgets, updated in place
        QCOMPARE(view.findChild<vora::ui::CodeBlockView*>(), code);
        QCOMPARE(code->code(), QStringLiteral("int a;\nint b;"));
        QCOMPARE(view.findChildren<QTextBrowser*>().size(), 2);
    }

    void themeFollowsThePalette()
    {
        vora::ui::CodeHighlighting highlighting;
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        QPalette light;
        light.setColor(QPalette::Base, Qt::white);
        QVERIFY(highlighting.themeFor(dark).isValid());
        QVERIFY(highlighting.themeFor(dark).name() != highlighting.themeFor(light).name());
        QVERIFY(highlighting.definitionFor(QStringLiteral("cpp")).isValid());
        QVERIFY(highlighting.definitionFor(QStringLiteral("python")).isValid());
        QVERIFY(!highlighting.definitionFor(QStringLiteral("no-such-language")).isValid());
    }
};

QTEST_MAIN(TestMarkdownView)
#include "test_markdown_view.moc"
