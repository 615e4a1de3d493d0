#pragma once
// Wizard step 4: will it fit? The trainer's memory estimate for the chosen options against the chosen
// device's free memory (fits / tight / does not fit), a "Make it fit" action (checkpointing, then a
// smaller batch with more accumulation, then a lower rank), disk space for checkpoints and the merged
// model, and a note when "teach it to see" runs without a distillation teacher. A model loaded in the
// chat on the same device holds memory the training cannot have: the page says how much and offers to
// unload it, and judges again whenever the chat loads or unloads a model. Next queues the training.
// GUI thread.
#include "app/finetune/memory_fit.h"
#include "app/finetune/step_time_trial.h"
#include "app/runtime_summary.h"
#include "ui/finetune/wizard_page.h"

#include <optional>

class QComboBox;
class QLabel;
class QPushButton;

namespace vora::ui {

struct FinetuneContext;
class MethodPage;

class FitPage : public WizardPage {
    Q_OBJECT
public:
    // method: where the options live (its catalog and form); must outlive the page.
    FitPage(const FinetuneContext& context, WizardState& state, MethodPage* method, QWidget* parent = nullptr);

    void enter() override;
    QString blocker() const override;
    QString nextText() const override { return tr("Start training"); }
    bool leave() override; // queues the training

    std::optional<vora::app::FitVerdict> verdict() const { return m_verdict; }
    void makeItFit();
    void chooseDevice(int index);
    QLabel* verdictLabel() const { return m_verdictLabel; }
    QPushButton* makeItFitButton() const { return m_makeItFit; }
    QLabel* teacherNote() const { return m_teacher; }
    QPushButton* measureButton() const { return m_measure; }
    QLabel* stepTimeLabel() const { return m_stepTime; }
    QLabel* chatModelNote() const { return m_chatNote; }
    QPushButton* unloadChatButton() const { return m_unloadChat; }

private:
    void measureStepTime(); // starts the short trial, or cancels the one running
    void estimate(); // asks the trainer for the memory need, then shows the verdict
    void showVerdict(); // the need against the chosen device's free memory
    void refreshDevices(); // free memory changes (a model loaded in the chat takes some)
    void chatModelChanged();

    const FinetuneContext& m_context;
    MethodPage* m_method;
    QComboBox* m_device;
    QLabel* m_verdictLabel;
    QLabel* m_breakdown;
    QLabel* m_disk;
    QLabel* m_teacher;
    QLabel* m_fitChange;
    QPushButton* m_makeItFit;
    QPushButton* m_measure;
    QLabel* m_stepTime;
    QLabel* m_chatNote;
    QPushButton* m_unloadChat;
    vora::app::StepTimeTrial* m_trial;
    QList<vora::app::DeviceChoice> m_devices;
    std::optional<vora::app::MemoryNeed> m_need;
    std::optional<vora::app::FitVerdict> m_verdict;
    QString m_error;
};

} // namespace vora::ui
