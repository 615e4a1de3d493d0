#pragma once
// The app's icons: the line drawings in resources/icons (stroke="currentColor"), painted in the
// colours of the current application palette each time they are drawn, so they follow light and dark
// themes and a palette change without reloading. Never a theme or Qt style fallback icon. GUI thread only.
#include <QIcon>
#include <QString>

namespace vora::ui {

// name: a file of resources/icons without ".svg" (e.g. "send"). Normal mode uses the palette's
// ButtonText, Disabled its disabled ButtonText, Selected HighlightedText. An unknown name is a
// programming error: the icon is null (and tests check every name used).
QIcon themedIcon(const QString& name);
// The same drawing in one fixed colour (e.g. on a filled accent button).
QIcon coloredIcon(const QString& name, const QColor& color);
bool iconExists(const QString& name);

} // namespace vora::ui
