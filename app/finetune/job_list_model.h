#pragma once
// The job queue as a list for the wizard's jobs page: one row per job, oldest first, with its state,
// progress (step of total, for trainings) and which actions apply now. Rows follow the queue's
// jobChanged() and the runs' progress. GUI thread; the queue must outlive the model.
#include <QAbstractListModel>

namespace vora::app {

class TrainingJobQueue;

class JobListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        KindRole,       // "train" | "merge"
        StateRole,      // training_job.h's state name: "queued", "running", ...
        DeviceRole,
        MessageRole,    // why it ended as it did
        StepRole,       // the last step reported (trainings; 0 before the first)
        TotalStepsRole,
        CanPauseRole,
        CanResumeRole,
        CanCancelRole,
        CommandLineRole, // the command it runs next, to copy
    };

    explicit JobListModel(TrainingJobQueue* queue, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override; // display: the title
    QHash<int, QByteArray> roleNames() const override;
    int rowOf(qint64 jobId) const; // -1 when absent

private:
    void onJobChanged(qint64 jobId);
    void followProgress(qint64 jobId);

    TrainingJobQueue* m_queue;
    QList<qint64> m_ids;
};

} // namespace vora::app
