#pragma once
// One fine-tune job of the queue (a `vora train` or `vora merge` run) as the database keeps it, its
// states, and how a child's end maps to a state (the exit codes of docs/architecture.md). Value types.
#include <QProcess>
#include <QString>
#include <QStringList>

#include <optional>

namespace vora::app {

enum class JobKind { Train, Merge };

enum class JobState {
    Queued,      // waits for its device (a resume waits too)
    Running,     // a child runs it (started by this app, or by an earlier one that is gone)
    Paused,      // stopped with a checkpoint (SIGTERM/SIGINT, exit 143/130); resumable
    Done,        // exit 0
    Failed,      // exit 1 (runtime error) or 2 (usage error), or the child could not start
    Interrupted, // killed without a checkpoint of its last steps (SIGKILL, a crash, the app died); resumable
    Cancelled,   // the user cancelled it
    Missing,     // its output folder was deleted behind the queue's back
};

QString jobKindName(JobKind kind); // "train", "merge": the database's spelling
std::optional<JobKind> jobKindFromName(const QString& name);
QString jobStateName(JobState state); // "queued", "running", ...: the database's spelling
std::optional<JobState> jobStateFromName(const QString& name);
// Paused and interrupted training jobs continue from their last checkpoint (--resume).
bool canResume(JobKind kind, JobState state);

struct TrainingJob {
    qint64 id = 0;
    JobKind kind = JobKind::Train;
    QString title;
    QString device;        // the job queue runs one job per device at a time: "cpu", "cuda", "cuda:1"
    QString outDir;        // the run folder (train) or the merged model folder (merge)
    QStringList arguments; // after `vora`, from "train"/"merge" on; never with --resume
    JobState state = JobState::Queued;
    bool resume = false;   // the next start continues the run (--resume)
    std::optional<int> exitCode;
    QString message; // why it ended as it did; for failures the end of its log
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
};

// How the child's end is told apart. requested: what the app asked for before it ended.
enum class StopRequest { None, Pause, Cancel };
struct JobOutcome {
    JobState state = JobState::Failed;
    std::optional<int> exitCode; // none when a signal killed it
    QString message;
};
// exit 0: done; 130/143: paused (checkpoint saved), or cancelled when that was asked; 1 and 2: failed;
// killed by a signal: interrupted (cancelled when asked). logTail ends the message of every outcome
// but done and paused.
JobOutcome jobOutcome(QProcess::ExitStatus status, int exitCode, StopRequest requested, const QString& logTail);

} // namespace vora::app
