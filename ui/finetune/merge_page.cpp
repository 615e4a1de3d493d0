#include "ui/finetune/merge_page.h"

#include "app/finetune/training_job_queue.h"
#include "ui/finetune/compare_view.h"
#include "ui/finetune/finetune_context.h"
#include "ui/finetune/wizard_state.h"

#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace vora::ui {

using namespace vora::app;

MergePage::MergePage(const FinetuneContext& context, WizardState& state, QWidget* parent)
    : WizardPage(tr("Merge and try"), state, parent)
    , m_context(context)
    , m_out(new QLineEdit(this))
    , m_merge(new QPushButton(tr("Merge"), this))
    , m_chat(new QPushButton(tr("Chat with it"), this))
    , m_status(new QLabel(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("A merge folds the trained LoRA (and vision embedding) into a copy of the base: a new model "
                                "folder that loads like any other. The base and the run stay as they are."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("New model folder"), this));
    row->addWidget(m_out, 1);
    row->addWidget(m_merge);
    layout->addLayout(row);
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("mergeStatus"));
    layout->addWidget(m_status);
    m_chat->setEnabled(false);
    layout->addWidget(m_chat, 0, Qt::AlignLeft);
    if (m_context.makeBackend) {
        auto* box = new QGroupBox(tr("Compare the base and the tuned model"), this);
        auto* boxLayout = new QVBoxLayout(box);
        m_compare = new CompareView(m_context.makeBackend, box);
        boxLayout->addWidget(m_compare);
        box->setVisible(false);
        layout->addWidget(box, 1);
    } else {
        layout->addStretch(1);
    }
    connect(m_merge, &QPushButton::clicked, this, &MergePage::merge);
    connect(m_chat, &QPushButton::clicked, this, [this] { Q_EMIT chatRequested(m_context.queue->job(m_job).outDir); });
    connect(m_context.queue, &TrainingJobQueue::jobChanged, this, [this](qint64 id) {
        if (id == m_job) {
            refresh();
        }
    });
}

void MergePage::enter()
{
    if (m_out->text().isEmpty()) {
        m_out->setText(state().values.value(QStringLiteral("out")).toString() + QStringLiteral("-merged"));
    }
    refresh();
}

void MergePage::merge()
{
    try {
        const QString run = state().values.value(QStringLiteral("out")).toString();
        m_job = m_context.queue->enqueueMerge(tr("merge %1").arg(QFileInfo(run).fileName()), state().base->folder, run, m_out->text());
    } catch (const std::exception& error) {
        m_status->setText(tr("Could not queue the merge: %1").arg(QString::fromUtf8(error.what()).toHtmlEscaped()));
        return;
    }
    refresh();
}

void MergePage::refresh()
{
    if (!m_job) {
        m_status->setText(tr("The merge runs as a job in the queue (on the right)."));
        return;
    }
    const TrainingJob job = m_context.queue->job(m_job);
    m_merge->setEnabled(job.state != JobState::Queued && job.state != JobState::Running);
    m_chat->setEnabled(job.state == JobState::Done);
    switch (job.state) {
    case JobState::Done:
        m_status->setText(tr("<b>Merged</b> into %1.").arg(job.outDir.toHtmlEscaped()));
        offerCompare(job.outDir);
        break;
    case JobState::Queued:
    case JobState::Running:
        m_status->setText(tr("Merging…"));
        break;
    default:
        m_status->setText(tr("The merge ended as %1: %2").arg(jobStateName(job.state), job.message.toHtmlEscaped()));
    }
}

void MergePage::offerCompare(const QString& mergedDir)
{
    if (!m_compare || !state().base) {
        return;
    }
    m_compare->parentWidget()->setVisible(true);
    m_compare->setModels(state().base->folder, mergedDir);
    if (m_context.loadOptions) {
        m_compare->setLoadOptions(m_context.loadOptions());
    }
    if (m_compare->questionEdit()->text().isEmpty()) { // the user's own choice stays
        const QJsonValue given = state().values.value(QStringLiteral("val-data")); // a list, or one path
        QStringList validation;
        for (const QJsonValue& file : given.isArray() ? given.toArray() : QJsonArray{given}) {
            if (!file.toString().isEmpty()) {
                validation.append(file.toString());
            }
        }
        const ComparisonSample sample = defaultComparisonSample(validation, state().dataFile, state().imageRoot);
        m_compare->setSample(sample.imagePath, sample.question);
    }
}

} // namespace vora::ui
