#include "app/finetune/job_list_model.h"

#include "app/finetune/training_job_queue.h"
#include "app/finetune/training_progress.h"

namespace vora::app {

JobListModel::JobListModel(TrainingJobQueue* queue, QObject* parent)
    : QAbstractListModel(parent)
    , m_queue(queue)
{
    for (const TrainingJob& job : queue->jobs()) {
        m_ids.push_back(job.id);
        followProgress(job.id);
    }
    connect(queue, &TrainingJobQueue::jobChanged, this, &JobListModel::onJobChanged);
}

int JobListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_ids.size());
}

QVariant JobListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const TrainingJob job = m_queue->job(m_ids.at(index.row()));
    const bool train = job.kind == JobKind::Train;
    switch (role) {
    case Qt::DisplayRole: return job.title;
    case Qt::ToolTipRole:
    case MessageRole: return job.message;
    case IdRole: return job.id;
    case KindRole: return jobKindName(job.kind);
    case StateRole: return jobStateName(job.state);
    case DeviceRole: return job.device;
    case StepRole: return train ? m_queue->progress(job.id)->step() : 0;
    case TotalStepsRole: return train ? m_queue->progress(job.id)->totalSteps() : 0;
    case CanPauseRole: return train && job.state == JobState::Running;
    case CanResumeRole: return canResume(job.kind, job.state);
    case CanCancelRole: return job.state == JobState::Queued || job.state == JobState::Running;
    case CommandLineRole: return m_queue->commandLine(job.id);
    default: return {};
    }
}

QHash<int, QByteArray> JobListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({{IdRole, "id"},
                  {KindRole, "kind"},
                  {StateRole, "state"},
                  {DeviceRole, "device"},
                  {MessageRole, "message"},
                  {StepRole, "step"},
                  {TotalStepsRole, "total_steps"},
                  {CanPauseRole, "can_pause"},
                  {CanResumeRole, "can_resume"},
                  {CanCancelRole, "can_cancel"},
                  {CommandLineRole, "command_line"}});
    return names;
}

int JobListModel::rowOf(qint64 jobId) const
{
    return static_cast<int>(m_ids.indexOf(jobId));
}

void JobListModel::onJobChanged(qint64 jobId)
{
    const int row = rowOf(jobId);
    if (row >= 0) {
        Q_EMIT dataChanged(index(row), index(row));
        return;
    }
    const int at = static_cast<int>(m_ids.size()); // new jobs have the highest id: the queue's end
    beginInsertRows({}, at, at);
    m_ids.push_back(jobId);
    endInsertRows();
    followProgress(jobId);
}

void JobListModel::followProgress(qint64 jobId)
{
    if (m_queue->job(jobId).kind != JobKind::Train) {
        return;
    }
    connect(m_queue->progress(jobId), &TrainingProgress::changed, this, [this, jobId] {
        const int row = rowOf(jobId);
        Q_EMIT dataChanged(index(row), index(row), {StepRole, TotalStepsRole});
    });
}

} // namespace vora::app
