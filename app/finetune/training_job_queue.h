#pragma once
// The fine-tune job queue: `vora train` and `vora merge` jobs persisted in the conversation database,
// run as child processes of the `vora` command, at most one running job per device, oldest first.
//
// Closing the app never loses a job (docs/finetune.md): a running training keeps running (its child
// has no pipe to the app), and the next queue re-attaches to it through its run folder's lock and
// progress.jsonl; one that ended meanwhile shows as it ended (done, paused, or interrupted when it
// died without a checkpoint of its last steps). Running merges are waited for. A run folder deleted
// behind the queue's back shows as missing. GUI thread (the store's thread).
#include "app/finetune/training_job.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <map>
#include <memory>

namespace vora::app {

class ConversationStore;
class JobProcess;
class ProgressFollower;
class TrainingJobStore;
class TrainingProgress;

class TrainingJobQueue : public QObject {
    Q_OBJECT
public:
    // Reads the queue back (see above) and starts what may start. voraExecutable: findVoraExecutable()
    // in the app; logDirectory: where each job's log (the child's stderr) is kept as JOB_ID.log.
    // Throws StoreError.
    TrainingJobQueue(ConversationStore& store, QString voraExecutable, QString logDirectory, QObject* parent = nullptr);
    ~TrainingJobQueue() override; // waits for running merges; running trainings go on (see above)

    // trainArguments: TrainOptionCatalog::arguments() ("train", ... with --out). Throws JobError
    // when there is no --out, StoreError.
    qint64 enqueueTraining(const QString& title, const QStringList& trainArguments);
    qint64 enqueueMerge(const QString& title, const QString& modelDir, const QString& checkpoint, const QString& outDir);

    // Each throws JobError naming the job when it is unknown or its state does not allow the action.
    void pause(qint64 id);  // a running training: checkpoint and stop (SIGTERM); ends as paused
    void resume(qint64 id); // a paused or interrupted training: queued again, continues from its checkpoint
    void cancel(qint64 id); // a queued job, or a running one (SIGTERM; ends as cancelled)

    QList<TrainingJob> jobs() const; // oldest first
    TrainingJob job(qint64 id) const;
    // The run's progress (train jobs): what RUN/progress.jsonl held when first asked, then followed
    // while the job runs. Owned here.
    TrainingProgress* progress(qint64 id);
    QString logPath(qint64 id) const;
    // The command the job runs next, for the user to copy.
    QString commandLine(qint64 id) const;

Q_SIGNALS:
    void jobChanged(qint64 id); // its state or message changed

private:
    struct Follow;
    TrainingJob& entry(qint64 id);
    const TrainingJob& entry(qint64 id) const;
    void save(TrainingJob& job);
    void restore(TrainingJob& job);
    QStringList nextArguments(const TrainingJob& job) const;
    void startWhatMay();
    void start(TrainingJob& job);
    void finish(qint64 id, const JobOutcome& outcome);
    void pollAttached();
    Follow& follow(qint64 id);

    std::unique_ptr<TrainingJobStore> m_store;
    QString m_vora;
    QString m_logDirectory;
    std::map<qint64, TrainingJob> m_jobs;
    std::map<qint64, std::unique_ptr<JobProcess>> m_processes; // jobs this queue started
    std::map<qint64, StopRequest> m_attached;                   // trainings an earlier app started
    std::map<qint64, std::unique_ptr<Follow>> m_follows;
    QTimer m_attachTimer;
    bool m_closing = false; // nothing new starts while the queue is destroyed
};

} // namespace vora::app
