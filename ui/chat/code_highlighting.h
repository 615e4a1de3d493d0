#pragma once
// The application's one KSyntaxHighlighting::Repository (loading it parses every syntax definition, so
// it is made once, by main() or a test, and handed down) plus the lookups the chat needs.
// GUI thread only.
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/Theme>

class QPalette;

namespace vora::ui {

class CodeHighlighting {
public:
    CodeHighlighting() = default;
    CodeHighlighting(const CodeHighlighting&) = delete;
    CodeHighlighting& operator=(const CodeHighlighting&) = delete;

    // A fence's info word ("cpp", "python", "C++", "rs") to a definition; invalid when unknown.
    KSyntaxHighlighting::Definition definitionFor(const QString& language) const;
    // A light theme on a light palette, a dark one on a dark palette.
    KSyntaxHighlighting::Theme themeFor(const QPalette& palette) const;

private:
    KSyntaxHighlighting::Repository m_repository;
};

} // namespace vora::ui
