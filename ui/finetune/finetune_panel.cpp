#include "ui/finetune/finetune_panel.h"

#include "app/finetune/model_comparison.h"
#include "app/finetune/training_job_queue.h"
#include "ui/finetune/compare_view.h"
#include "ui/finetune/finetune_wizard.h"
#include "ui/finetune/jobs_view.h"

#include <QDialog>
#include <QFileInfo>
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
    connect(m_jobs, &JobsView::compareRequested, this, &FinetunePanel::openCompare);
}

CompareView* FinetunePanel::openCompare(qint64 mergeJobId)
{
    if (!m_context.makeBackend) {
        return nullptr;
    }
    delete m_compareWindow; // one at a time: its comparison stops with it
    const vora::app::MergeComparison comparison = vora::app::comparisonForMerge(m_context.queue->job(mergeJobId), m_context.queue->jobs());
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Compare %1 with %2").arg(QFileInfo(comparison.baseDir).fileName(), QFileInfo(comparison.tunedDir).fileName()));
    auto* layout = new QHBoxLayout(dialog);
    auto* view = new CompareView(m_context.makeBackend, dialog);
    layout->addWidget(view);
    view->setModels(comparison.baseDir, comparison.tunedDir);
    view->setSample(comparison.sample.imagePath, comparison.sample.question);
    if (m_context.loadOptions) {
        view->setLoadOptions(m_context.loadOptions());
    }
    dialog->resize(900, 560);
    dialog->show();
    m_compareWindow = dialog;
    return view;
}

} // namespace vora::ui
