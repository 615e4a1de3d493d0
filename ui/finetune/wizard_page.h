#pragma once
// One step of the fine-tune wizard. The wizard calls enter() when the page is shown and lets the user
// go on while blocker() is empty; pages emit blockerChanged() when that may have changed. GUI thread.
#include <QWidget>

namespace vora::ui {

struct WizardState;

class WizardPage : public QWidget {
    Q_OBJECT
public:
    WizardPage(const QString& title, WizardState& state, QWidget* parent = nullptr)
        : QWidget(parent)
        , m_title(title)
        , m_state(state)
    {
    }

    QString title() const { return m_title; }
    virtual void enter() {}
    // Why the user cannot go on yet ("Choose a model folder"); empty when they can.
    virtual QString blocker() const { return {}; }
    // The Next button's text on this page ("Start training" on the fit page).
    virtual QString nextText() const { return tr("Next"); }
    // Called when Next is pressed with no blocker; false keeps the wizard on this page.
    virtual bool leave() { return true; }

Q_SIGNALS:
    void blockerChanged();

protected:
    WizardState& state() { return m_state; }
    const WizardState& state() const { return m_state; }

private:
    QString m_title;
    WizardState& m_state;
};

} // namespace vora::ui
