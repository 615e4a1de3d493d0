#pragma once
// The window's Fine-tune page: the wizard beside the job queue. "Show" on a training in the queue
// follows it on the wizard's run page; the wizard's "Chat with it" is passed on for the window to open
// the merged model in the chat. GUI thread.
#include "ui/finetune/finetune_context.h"

#include <QWidget>

namespace vora::ui {

class FinetuneWizard;
class JobsView;

class FinetunePanel : public QWidget {
    Q_OBJECT
public:
    // context.queue must outlive the panel.
    explicit FinetunePanel(FinetuneContext context, QWidget* parent = nullptr);

    FinetuneWizard* wizard() const { return m_wizard; }
    JobsView* jobs() const { return m_jobs; }

Q_SIGNALS:
    void chatRequested(const QString& modelDir);

private:
    FinetuneContext m_context;
    FinetuneWizard* m_wizard;
    JobsView* m_jobs;
};

} // namespace vora::ui
