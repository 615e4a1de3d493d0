#include "ui/common/theme.h"

#include <QApplication>
#include <QStyleFactory>
#include <QStyle>

namespace vora::ui {

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

QColor mixColors(const QColor& a, const QColor& b, double amountOfB)
{
    const auto mix = [&](float x, float y) { return x + (y - x) * static_cast<float>(amountOfB); };
    return QColor::fromRgbF(mix(a.redF(), b.redF()), mix(a.greenF(), b.greenF()), mix(a.blueF(), b.blueF()));
}

QColor accentColor(const QPalette& palette)
{
    return palette.color(QPalette::Highlight);
}

QColor bubbleColor(const QPalette& palette)
{
    return mixColors(palette.color(QPalette::Base), accentColor(palette), isDark(palette) ? 0.22 : 0.11);
}

QColor subtleBorder(const QPalette& palette)
{
    return mixColors(palette.color(QPalette::Base), palette.color(QPalette::Text), isDark(palette) ? 0.22 : 0.16);
}

QColor secondaryText(const QPalette& palette)
{
    return mixColors(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.62);
}

QColor errorColor(const QPalette& palette)
{
    return isDark(palette) ? QColor(255, 138, 128) : QColor(176, 32, 28);
}

QColor warningColor(const QPalette& palette)
{
    return isDark(palette) ? QColor(255, 196, 96) : QColor(150, 88, 0);
}

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(32, 33, 36), base(24, 25, 27), text(232, 234, 237), button(45, 47, 51);
    const QColor disabledText(128, 131, 137), highlight(74, 140, 255);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, button);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabledText);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, button);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(122, 170, 255));
    p.setColor(QPalette::Light, QColor(70, 72, 77));
    p.setColor(QPalette::Midlight, QColor(58, 60, 64));
    p.setColor(QPalette::Mid, QColor(40, 41, 44));
    p.setColor(QPalette::Dark, QColor(20, 21, 23));
    p.setColor(QPalette::Shadow, Qt::black);
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        p.setColor(QPalette::Disabled, role, disabledText);
    }
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(60, 62, 66));
    return p;
}

QPalette lightPalette(QPalette p)
{
    p.setColor(QPalette::Window, QColor(243, 244, 246));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(247, 248, 250));
    p.setColor(QPalette::Highlight, QColor(37, 99, 235));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(120, 124, 130));
    return p;
}

} // namespace

void applyColorScheme(QApplication& application, ColorScheme scheme)
{
    application.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    switch (scheme) {
    case ColorScheme::System: application.setPalette(application.style()->standardPalette()); break;
    case ColorScheme::Light: application.setPalette(lightPalette(application.style()->standardPalette())); break;
    case ColorScheme::Dark: application.setPalette(darkPalette()); break;
    }
}

} // namespace vora::ui
