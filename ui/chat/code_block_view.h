#pragma once
// One fenced code block of a message: language label, a Copy button and the code, highlighted by a
// KSyntaxHighlighting::SyntaxHighlighter themed from the palette. GUI thread only.
#include <QFrame>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTextDocument;

namespace KSyntaxHighlighting {
class SyntaxHighlighter;
}

namespace vora::ui {

class CodeHighlighting;

class CodeBlockView : public QFrame {
    Q_OBJECT
public:
    // highlighting must outlive the view.
    CodeBlockView(const CodeHighlighting* highlighting, QWidget* parent = nullptr);

    void setCode(const QString& code, const QString& language);
    QString code() const { return m_code; }
    QTextDocument* document() const;

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void applyTheme();
    void fitHeight();
    void copyToClipboard();

    const CodeHighlighting* m_highlighting;
    QLabel* m_language;
    QPushButton* m_copy;
    QPlainTextEdit* m_text;
    KSyntaxHighlighting::SyntaxHighlighter* m_highlighter;
    QString m_code;
    QString m_languageName;
};

} // namespace vora::ui
