#pragma once
// Wizard step 5: the training runs. Live charts (loss with LM and validation loss, learning rate,
// gradient norm, tokens/s, memory), step, ETA, the log tail, pause / resume / cancel wired to the job
// queue, and the checkpoints written so far. Next leads to the merge once a checkpoint exists. GUI thread.
#include "ui/finetune/wizard_page.h"

#include <QTimer>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace vora::app {
class TrainingJobQueue;
}

namespace vora::ui {

struct FinetuneContext;
class ProgressChart;

class RunPage : public WizardPage {
    Q_OBJECT
public:
    RunPage(const FinetuneContext& context, WizardState& state, QWidget* parent = nullptr);

    void enter() override; // follows state().trainJobId
    QString blocker() const override;
    QString nextText() const override { return tr("Merge…"); }

    QList<ProgressChart*> charts() const { return m_charts; }
    QPushButton* pauseButton() const { return m_pause; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* cancelButton() const { return m_cancel; }
    QListWidget* checkpointList() const { return m_checkpoints; }
    QLabel* statusLabel() const { return m_status; }
    QPlainTextEdit* logTail() const { return m_log; }

private:
    void refresh();
    void refreshLog();
    void act(void (vora::app::TrainingJobQueue::*action)(qint64));

    const FinetuneContext& m_context;
    QLabel* m_status;
    QList<ProgressChart*> m_charts;
    QPushButton* m_pause;
    QPushButton* m_resume;
    QPushButton* m_cancel;
    QListWidget* m_checkpoints;
    QPlainTextEdit* m_log;
    QTimer m_logTimer;
    qint64 m_followed = 0;
};

} // namespace vora::ui
