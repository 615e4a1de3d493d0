#include "ui/finetune/run_page.h"

#include "app/finetune/job_error.h"
#include "app/finetune/training_job_queue.h"
#include "app/finetune/training_progress.h"
#include "ui/finetune/finetune_context.h"
#include "ui/finetune/progress_chart.h"
#include "ui/finetune/wizard_state.h"

#include <QFile>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

namespace vora::ui {

using namespace vora::app;

namespace {

constexpr qint64 kLogTailBytes = 8192;

QString duration(double seconds)
{
    const qint64 s = static_cast<qint64>(seconds);
    return s >= 3600 ? QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60)
         : s >= 60   ? QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60)
                     : QObject::tr("%1 s").arg(s);
}

} // namespace

RunPage::RunPage(const FinetuneContext& context, WizardState& state, QWidget* parent)
    : WizardPage(tr("Run"), state, parent)
    , m_context(context)
    , m_status(new QLabel(this))
    , m_pause(new QPushButton(tr("Pause"), this))
    , m_resume(new QPushButton(tr("Resume"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_checkpoints(new QListWidget(this))
    , m_log(new QPlainTextEdit(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    m_status->setObjectName(QStringLiteral("runStatus"));
    m_status->setWordWrap(true);
    top->addWidget(m_status, 1);
    m_pause->setToolTip(tr("Save a checkpoint and stop; Resume continues from it"));
    for (QPushButton* button : {m_pause, m_resume, m_cancel}) {
        top->addWidget(button);
    }
    layout->addLayout(top);
    auto* grid = new QGridLayout;
    m_charts = {new ProgressChart(tr("Loss"), {ProgressSeries::Loss, ProgressSeries::LmLoss, ProgressSeries::ValLoss}, this),
                new ProgressChart(tr("Learning rate"), {ProgressSeries::Lr}, this),
                new ProgressChart(tr("Gradient norm"), {ProgressSeries::GradNorm}, this),
                new ProgressChart(tr("Tokens per second"), {ProgressSeries::TokensPerS}, this),
                new ProgressChart(tr("Memory"), {ProgressSeries::MemoryBytes}, this)};
    for (int i = 0; i < m_charts.size(); ++i) {
        grid->addWidget(m_charts.at(i), i / 3, i % 3);
    }
    auto* side = new QVBoxLayout;
    side->addWidget(new QLabel(tr("Checkpoints"), this));
    side->addWidget(m_checkpoints);
    grid->addLayout(side, 1, 2);
    layout->addLayout(grid, 3);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(400);
    m_log->setPlaceholderText(tr("The trainer's log appears here."));
    m_log->setFont(QFont(QStringLiteral("monospace")));
    layout->addWidget(m_log, 1);

    connect(m_pause, &QPushButton::clicked, this, [this] { act(&TrainingJobQueue::pause); });
    connect(m_resume, &QPushButton::clicked, this, [this] { act(&TrainingJobQueue::resume); });
    connect(m_cancel, &QPushButton::clicked, this, [this] { act(&TrainingJobQueue::cancel); });
    connect(m_context.queue, &TrainingJobQueue::jobChanged, this, [this](qint64 id) {
        if (id == m_followed) {
            refresh();
        }
    });
    m_logTimer.setInterval(1000);
    connect(&m_logTimer, &QTimer::timeout, this, &RunPage::refreshLog);
}

void RunPage::enter()
{
    if (m_followed == state().trainJobId) {
        refresh();
        return;
    }
    m_followed = state().trainJobId;
    TrainingProgress* progress = m_followed ? m_context.queue->progress(m_followed) : nullptr;
    for (ProgressChart* chart : m_charts) {
        chart->setProgress(progress);
    }
    if (progress) {
        connect(progress, &TrainingProgress::changed, this, &RunPage::refresh, Qt::UniqueConnection);
    }
    m_logTimer.start();
    refresh();
}

void RunPage::act(void (TrainingJobQueue::*action)(qint64))
{
    try {
        (m_context.queue->*action)(m_followed);
    } catch (const JobError& error) {
        m_status->setText(QString::fromUtf8(error.what()).toHtmlEscaped());
    }
    refresh();
}

void RunPage::refresh()
{
    if (!m_followed) {
        return;
    }
    const TrainingJob job = m_context.queue->job(m_followed);
    TrainingProgress* progress = m_context.queue->progress(m_followed);
    const QJsonObject step = progress->latestStep();
    QString text = tr("<b>%1</b> · %2").arg(job.title.toHtmlEscaped(), jobStateName(job.state));
    if (progress->step() > 0) {
        text += tr(" · step %1 of %2 · loss %3").arg(progress->step()).arg(progress->totalSteps()).arg(step.value(QStringLiteral("loss")).toDouble(), 0, 'f', 4);
        if (job.state == JobState::Running && step.contains(QStringLiteral("eta_s"))) {
            text += tr(" · about %1 left").arg(duration(step.value(QStringLiteral("eta_s")).toDouble()));
        }
    }
    if (!job.message.isEmpty() && job.state != JobState::Running) {
        text += QStringLiteral("<br>") + job.message.toHtmlEscaped().left(400);
    }
    m_status->setText(text);
    m_pause->setEnabled(job.kind == JobKind::Train && job.state == JobState::Running);
    m_resume->setEnabled(canResume(job.kind, job.state));
    m_cancel->setEnabled(job.state == JobState::Queued || job.state == JobState::Running);
    const QStringList checkpoints = progress->checkpoints();
    if (m_checkpoints->count() != checkpoints.size()) {
        m_checkpoints->clear();
        for (const QString& path : checkpoints) {
            auto* item = new QListWidgetItem(QFileInfo(path).fileName(), m_checkpoints);
            item->setToolTip(path);
        }
    }
    if (job.state != JobState::Running && job.state != JobState::Queued) {
        refreshLog(); // the last lines, once
    }
    Q_EMIT blockerChanged();
}

void RunPage::refreshLog()
{
    if (!m_followed || !isVisible()) {
        return;
    }
    QFile file(m_context.queue->logPath(m_followed));
    if (!file.open(QIODevice::ReadOnly)) {
        return;
    }
    file.seek(std::max<qint64>(0, file.size() - kLogTailBytes));
    const QString tail = QString::fromUtf8(file.readAll());
    if (tail != m_log->toPlainText()) {
        m_log->setPlainText(tail);
        m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
    }
}

QString RunPage::blocker() const
{
    if (!m_followed) {
        return tr("No training queued");
    }
    const JobState state = m_context.queue->job(m_followed).state;
    if (state == JobState::Done) {
        return {};
    }
    if (state == JobState::Paused && !m_context.queue->progress(m_followed)->checkpoints().isEmpty()) {
        return {};
    }
    return tr("The merge waits for the training to finish (or pause with a checkpoint)");
}

} // namespace vora::ui
