#pragma once
// The fine-tune wizard: its steps (base model, data, method, fit, run, merge) in a stack with a row of
// step names above and Back / Next below; Next stays disabled, with the reason beside it, until the
// page's blocker is gone. GUI thread.
#include "ui/finetune/wizard_state.h"

#include <QList>
#include <QWidget>

class QLabel;
class QPushButton;
class QStackedWidget;

namespace vora::ui {

struct FinetuneContext;
class BaseModelPage;
class DataPage;
class FitPage;
class MergePage;
class MethodPage;
class RunPage;
class WizardPage;

class FinetuneWizard : public QWidget {
    Q_OBJECT
public:
    explicit FinetuneWizard(const FinetuneContext& context, QWidget* parent = nullptr);

    int currentStep() const;
    void goNext(); // as the Next button (does nothing while the page blocks)
    void goBack();
    // Shows the run page following job id (e.g. a job chosen in the queue list).
    void followTraining(qint64 jobId);

    BaseModelPage* baseModelPage() const { return m_base; }
    DataPage* dataPage() const { return m_data; }
    MethodPage* methodPage() const { return m_method; }
    FitPage* fitPage() const { return m_fit; }
    RunPage* runPage() const { return m_run; }
    MergePage* mergePage() const { return m_merge; }
    QPushButton* nextButton() const { return m_next; }
    QPushButton* backButton() const { return m_back; }
    QLabel* blockerLabel() const { return m_blocker; }
    const WizardState& state() const { return m_state; }

Q_SIGNALS:
    void chatRequested(const QString& modelDir);

private:
    void show(int step);
    void updateButtons();

    WizardState m_state;
    BaseModelPage* m_base;
    DataPage* m_data;
    MethodPage* m_method;
    FitPage* m_fit;
    RunPage* m_run;
    MergePage* m_merge;
    QList<WizardPage*> m_pages;
    QList<QLabel*> m_stepLabels;
    QStackedWidget* m_stack;
    QPushButton* m_back;
    QPushButton* m_next;
    QLabel* m_blocker;
};

} // namespace vora::ui
