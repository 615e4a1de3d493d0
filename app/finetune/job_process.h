#pragma once
// One `vora` child process of a job. Its stdout goes nowhere (progress is read from the run folder's
// progress.jsonl) and its stderr is appended to the job's log file, so a child that outlives the app
// (the app was killed) has no pipe to die on and its log survives. Pause and cancel both send SIGTERM:
// the trainer finishes its step, saves a checkpoint and exits 143; what was asked decides the state.
// GUI thread.
#include "app/finetune/training_job.h"

#include <QObject>
#include <QProcess>

#include <memory>

namespace vora::app {

class JobProcess : public QObject {
    Q_OBJECT
public:
    explicit JobProcess(QObject* parent = nullptr);
    ~JobProcess() override; // a child still running is left running: it ends on its own

    // finished() follows, also when program cannot start (then as failed).
    void start(const QString& program, const QStringList& arguments, const QString& logPath);
    void pause();
    void cancel();
    // Blocks up to timeoutMs for the child to end (finished() is emitted inside); true when it did.
    bool waitForFinished(int timeoutMs);
    qint64 pid() const;
    bool isRunning() const;

Q_SIGNALS:
    void finished(const vora::app::JobOutcome& outcome);

private:
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onErrorOccurred(QProcess::ProcessError error);

    class Child;
    std::unique_ptr<Child> m_process;
    QString m_logPath;
    StopRequest m_requested = StopRequest::None;
    bool m_reported = false;
};

// The last lines of a job's log file (empty when there is none).
QString logTail(const QString& logPath, int lines = 12);

} // namespace vora::app
