#pragma once
// Colours derived from the current palette, so light and dark themes (the system's, followed live)
// both read well without a style sheet: the user's message bubble, card borders, the accent, error
// and warning tones. And, for screenshots and tests, a way to pick a light or dark palette on the
// Fusion style. GUI thread only.
#include <QColor>
#include <QPalette>

class QApplication;

namespace vora::ui {

bool isDark(const QPalette& palette);
QColor mixColors(const QColor& a, const QColor& b, double amountOfB);
QColor accentColor(const QPalette& palette);      // the highlight colour
QColor bubbleColor(const QPalette& palette);      // the user's messages: base tinted with the accent
QColor subtleBorder(const QPalette& palette);     // frames of cards and the composer
QColor secondaryText(const QPalette& palette);    // captions, times, explanations
QColor errorColor(const QPalette& palette);       // error text readable on Base
QColor warningColor(const QPalette& palette);     // warning text readable on Base

enum class ColorScheme { System, Light, Dark };
// Fusion with a light or dark palette (System: the platform's). For screenshots and tests; the app
// itself follows the system.
void applyColorScheme(QApplication& application, ColorScheme scheme);

} // namespace vora::ui
