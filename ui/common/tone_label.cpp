#include "ui/common/tone_label.h"

#include "ui/common/theme.h"

#include <QEvent>

namespace vora::ui {

ToneLabel::ToneLabel(Tone tone, QWidget* parent)
    : ToneLabel(QString(), tone, parent)
{
}

ToneLabel::ToneLabel(const QString& text, Tone tone, QWidget* parent)
    : QLabel(text, parent)
    , m_tone(tone)
{
    applyTone();
}

void ToneLabel::setTone(Tone tone)
{
    m_tone = tone;
    applyTone();
}

void ToneLabel::changeEvent(QEvent* event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyTone();
    }
}

void ToneLabel::applyTone()
{
    QPalette p = palette();
    const QColor color = m_tone == Tone::Secondary ? secondaryText(p)
        : m_tone == Tone::Warning                  ? warningColor(p)
        : m_tone == Tone::Error                    ? errorColor(p)
                                                   : p.color(QPalette::Text);
    if (p.color(QPalette::WindowText) != color) { // setting it sends PaletteChange again: only when it differs
        p.setColor(QPalette::WindowText, color);
        setPalette(p);
    }
}

} // namespace vora::ui
