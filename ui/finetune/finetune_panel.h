#pragma once
// The window's Fine-tune page: the wizard beside the job queue. "Show" on a training in the queue
// follows it on the wizard's run page; "Compare" on a finished merge opens a Compare window for its base
// and merged model; the wizard's "Chat with it" is passed on for the window to open the merged model in
// the chat. GUI thread.
#include "ui/finetune/finetune_context.h"

#include <QPointer>
#include <QWidget>

namespace vora::ui {

class CompareView;
class FinetuneWizard;
class JobsView;

class FinetunePanel : public QWidget {
    Q_OBJECT
public:
    // context.queue must outlive the panel.
    explicit FinetunePanel(FinetuneContext context, QWidget* parent = nullptr);

    FinetuneWizard* wizard() const { return m_wizard; }
    JobsView* jobs() const { return m_jobs; }
    // Opens (or raises) the Compare window for a finished merge job; returns its view, null when the
    // context has no backend factory.
    CompareView* openCompare(qint64 mergeJobId);

Q_SIGNALS:
    void chatRequested(const QString& modelDir);

private:
    FinetuneContext m_context;
    FinetuneWizard* m_wizard;
    JobsView* m_jobs;
    QPointer<QWidget> m_compareWindow; // deletes itself when closed
};

} // namespace vora::ui
