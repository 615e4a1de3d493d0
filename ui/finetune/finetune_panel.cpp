#include "ui/finetune/finetune_panel.h"

#include "ui/finetune/finetune_wizard.h"
#include "ui/finetune/jobs_view.h"

#include <QHBoxLayout>
#include <QSplitter>

namespace vora::ui {

FinetunePanel::FinetunePanel(FinetuneContext context, QWidget* parent)
    : QWidget(parent)
    , m_context(std::move(context))
    , m_wizard(new FinetuneWizard(m_context))
    , m_jobs(new JobsView(m_context.queue))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_wizard);
    split->addWidget(m_jobs);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    split->setSizes({900, 300}); // the queue wide enough for a job's title
    layout->addWidget(split);
    connect(m_wizard, &FinetuneWizard::chatRequested, this, &FinetunePanel::chatRequested);
    connect(m_jobs, &JobsView::showRequested, m_wizard, &FinetuneWizard::followTraining);
}

} // namespace vora::ui
