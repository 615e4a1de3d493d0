#pragma once
// A label in one of the theme's text tones (secondary, warning, error: ui/common/theme.h), re-tinted
// when the palette changes, so it stays readable when the system switches between light and dark.
// GUI thread only.
#include <QLabel>

namespace vora::ui {

class ToneLabel : public QLabel {
    Q_OBJECT
public:
    enum class Tone { Normal, Secondary, Warning, Error };

    explicit ToneLabel(Tone tone, QWidget* parent = nullptr);
    ToneLabel(const QString& text, Tone tone, QWidget* parent = nullptr);

    Tone tone() const { return m_tone; }
    void setTone(Tone tone);

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyTone();

    Tone m_tone;
};

} // namespace vora::ui
