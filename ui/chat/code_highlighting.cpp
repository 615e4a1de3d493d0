#include "ui/chat/code_highlighting.h"

#include <QPalette>

namespace vora::ui {

KSyntaxHighlighting::Definition CodeHighlighting::definitionFor(const QString& language) const
{
    const QString name = language.trimmed();
    if (name.isEmpty()) {
        return {};
    }
    KSyntaxHighlighting::Definition definition = m_repository.definitionForFileName(QStringLiteral("snippet.") + name);
    if (!definition.isValid()) {
        definition = m_repository.definitionForName(name);
    }
    if (!definition.isValid()) {
        for (const KSyntaxHighlighting::Definition& candidate : m_repository.definitions()) {
            if (candidate.name().compare(name, Qt::CaseInsensitive) == 0) {
                return candidate;
            }
        }
    }
    return definition;
}

KSyntaxHighlighting::Theme CodeHighlighting::themeFor(const QPalette& palette) const
{
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    return m_repository.defaultTheme(dark ? KSyntaxHighlighting::Repository::DarkTheme
                                          : KSyntaxHighlighting::Repository::LightTheme);
}

} // namespace vora::ui
