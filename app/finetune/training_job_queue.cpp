#include "app/finetune/training_job_queue.h"

#include "app/finetune/job_error.h"
#include "app/finetune/job_process.h"
#include "app/finetune/progress_follower.h"
#include "app/finetune/run_folder_probe.h"
#include "app/finetune/train_option_catalog.h"
#include "app/finetune/training_job_store.h"
#include "app/finetune/training_progress.h"

#include <QDir>
#include <QFileInfo>

#include <csignal>

namespace vora::app {
namespace {

constexpr int kAttachPollMs = 500;
constexpr int kMergeShutdownWaitMs = 120000;

QString valueOf(const QStringList& arguments, const QString& flag)
{
    const qsizetype at = arguments.indexOf(flag);
    return at >= 0 && at + 1 < arguments.size() ? arguments.at(at + 1) : QString();
}

// One running job per device: "cuda" and "cuda:0" are the same card.
QString deviceKey(const QString& device)
{
    if (device.isEmpty()) {
        return QStringLiteral("cpu"); // `vora train`'s default
    }
    return device == QLatin1String("cuda") ? QStringLiteral("cuda:0") : device;
}

// SIGTERM to the trainer that holds the run folder's lock (a training an earlier app started). Never
// kill(0 or less): that would signal the app's own process group.
void stopRunFolderOwner(const QString& runDir)
{
    const qint64 pid = runFolderOwnerPid(runDir);
    if (pid > 0 && runFolderIsLive(runDir)) {
        ::kill(static_cast<pid_t>(pid), SIGTERM);
    }
}

bool holdsRun(const QString& runDir)
{
    return QFileInfo::exists(QDir(runDir).filePath(QStringLiteral("latest")));
}

// How a training ended that this queue did not start or no longer watched (its exit code went
// elsewhere), from the run's last progress line. A line older than the job's start (updatedMs, set
// when it began running) belongs to an earlier run of the job: this one died before writing any.
JobOutcome outcomeFromRunFolder(const TrainingJob& job, StopRequest requested, const QString& log)
{
    const QJsonObject last = lastProgressLine(job.outDir);
    const QString event = last.value(QStringLiteral("time")).toDouble() * 1000 >= static_cast<double>(job.updatedMs)
                              ? last.value(QStringLiteral("event")).toString()
                              : QString();
    JobOutcome outcome;
    if (event == QLatin1String("done")) {
        outcome = jobOutcome(QProcess::NormalExit, 0, requested, {});
    } else if (event == QLatin1String("stopped")) {
        outcome = jobOutcome(QProcess::NormalExit, 143, requested, {});
    } else {
        outcome = jobOutcome(QProcess::CrashExit, 0, requested, log);
    }
    outcome.exitCode.reset();
    return outcome;
}

} // namespace

struct TrainingJobQueue::Follow {
    std::unique_ptr<ProgressFollower> follower;
    std::unique_ptr<TrainingProgress> progress;
};

TrainingJobQueue::TrainingJobQueue(ConversationStore& store, QString voraExecutable, QString logDirectory, QObject* parent)
    : QObject(parent)
    , m_store(std::make_unique<TrainingJobStore>(store))
    , m_vora(std::move(voraExecutable))
    , m_logDirectory(std::move(logDirectory))
{
    connect(&m_attachTimer, &QTimer::timeout, this, &TrainingJobQueue::pollAttached);
    for (TrainingJob& job : m_store->jobs()) {
        m_jobs.emplace(job.id, job);
    }
    for (auto& [id, job] : m_jobs) {
        restore(job);
    }
    if (!m_attached.empty()) {
        m_attachTimer.start(kAttachPollMs);
    }
    startWhatMay();
}

TrainingJobQueue::~TrainingJobQueue()
{
    m_closing = true;
    QList<qint64> merges;
    for (const auto& [id, process] : m_processes) {
        if (entry(id).kind == JobKind::Merge) {
            merges.push_back(id);
        }
    }
    for (const qint64 id : merges) {
        if (auto process = m_processes.find(id); process != m_processes.end()) {
            process->second->waitForFinished(kMergeShutdownWaitMs); // finish() records how it ended
        }
    }
}

void TrainingJobQueue::restore(TrainingJob& job)
{
    const bool started = job.state == JobState::Running || job.state == JobState::Paused || job.state == JobState::Interrupted
                         || job.state == JobState::Done || (job.state == JobState::Queued && job.resume);
    if (started && !QFileInfo(job.outDir).isDir()) {
        job.state = JobState::Missing;
        job.message = QStringLiteral("Its folder %1 was deleted.").arg(job.outDir);
        save(job);
        return;
    }
    if (job.state != JobState::Running) {
        return;
    }
    if (job.kind == JobKind::Train && runFolderIsLive(job.outDir)) {
        m_attached.emplace(job.id, StopRequest::None);
        follow(job.id).follower->start();
        return;
    }
    // A merge has no lock and no progress file: one the app did not wait for counts as interrupted.
    const JobOutcome outcome = job.kind == JobKind::Train ? outcomeFromRunFolder(job, StopRequest::None, logTail(logPath(job.id)))
                                                          : jobOutcome(QProcess::CrashExit, 0, StopRequest::None, logTail(logPath(job.id)));
    job.state = outcome.state;
    job.exitCode.reset();
    job.message = QStringLiteral("(It ended while the app was closed.) ") + outcome.message;
    save(job);
}

qint64 TrainingJobQueue::enqueueTraining(const QString& title, const QStringList& trainArguments)
{
    TrainingJob job;
    job.kind = JobKind::Train;
    job.title = title;
    job.arguments = trainArguments;
    job.outDir = valueOf(trainArguments, QStringLiteral("--out"));
    if (trainArguments.value(0) != QLatin1String("train") || job.outDir.isEmpty()) {
        throw JobError(QStringLiteral("\"%1\": a training job needs `train ... --out DIR` arguments").arg(title));
    }
    job.device = deviceKey(valueOf(trainArguments, QStringLiteral("--device")));
    m_store->add(job);
    m_jobs.emplace(job.id, job);
    Q_EMIT jobChanged(job.id);
    startWhatMay();
    return job.id;
}

qint64 TrainingJobQueue::enqueueMerge(const QString& title, const QString& modelDir, const QString& checkpoint, const QString& outDir)
{
    TrainingJob job;
    job.kind = JobKind::Merge;
    job.title = title;
    job.arguments = {QStringLiteral("merge"), QStringLiteral("--model"), modelDir, QStringLiteral("--checkpoint"), checkpoint,
                     QStringLiteral("--out"), outDir};
    job.outDir = outDir;
    job.device = deviceKey({}); // `vora merge` works on the CPU
    m_store->add(job);
    m_jobs.emplace(job.id, job);
    Q_EMIT jobChanged(job.id);
    startWhatMay();
    return job.id;
}

void TrainingJobQueue::pause(qint64 id)
{
    TrainingJob& job = entry(id);
    if (job.kind != JobKind::Train || job.state != JobState::Running) {
        throw JobError(QStringLiteral("Job %1 (\"%2\") is %3: only a running training can pause").arg(id).arg(job.title, jobStateName(job.state)));
    }
    if (auto process = m_processes.find(id); process != m_processes.end()) {
        process->second->pause();
    } else if (auto attached = m_attached.find(id); attached != m_attached.end()) {
        attached->second = StopRequest::Pause;
        stopRunFolderOwner(job.outDir);
    }
}

void TrainingJobQueue::resume(qint64 id)
{
    TrainingJob& job = entry(id);
    if (!canResume(job.kind, job.state)) {
        throw JobError(QStringLiteral("Job %1 (\"%2\") is %3: only a paused or interrupted training can resume")
                           .arg(id)
                           .arg(job.title, jobStateName(job.state)));
    }
    job.state = JobState::Queued;
    job.resume = true;
    job.exitCode.reset();
    job.message.clear();
    save(job);
    startWhatMay();
}

void TrainingJobQueue::cancel(qint64 id)
{
    TrainingJob& job = entry(id);
    if (job.state == JobState::Queued) {
        job.state = JobState::Cancelled;
        job.message = QStringLiteral("Cancelled before it started.");
        save(job);
        return;
    }
    if (job.state != JobState::Running) {
        throw JobError(QStringLiteral("Job %1 (\"%2\") is %3: only a queued or running job can be cancelled").arg(id).arg(job.title, jobStateName(job.state)));
    }
    if (auto process = m_processes.find(id); process != m_processes.end()) {
        process->second->cancel();
    } else if (auto attached = m_attached.find(id); attached != m_attached.end()) {
        attached->second = StopRequest::Cancel;
        stopRunFolderOwner(job.outDir);
    }
}

QList<TrainingJob> TrainingJobQueue::jobs() const
{
    QList<TrainingJob> result;
    for (const auto& [id, job] : m_jobs) {
        result.push_back(job);
    }
    return result;
}

TrainingJob TrainingJobQueue::job(qint64 id) const
{
    return entry(id);
}

TrainingProgress* TrainingJobQueue::progress(qint64 id)
{
    return follow(id).progress.get();
}

QString TrainingJobQueue::logPath(qint64 id) const
{
    return QDir(m_logDirectory).filePath(QStringLiteral("%1.log").arg(id));
}

QString TrainingJobQueue::commandLine(qint64 id) const
{
    return shellCommandLine(m_vora, nextArguments(entry(id)));
}

TrainingJob& TrainingJobQueue::entry(qint64 id)
{
    const auto found = m_jobs.find(id);
    if (found == m_jobs.end()) {
        throw JobError(QStringLiteral("There is no job %1 in the queue").arg(id));
    }
    return found->second;
}

const TrainingJob& TrainingJobQueue::entry(qint64 id) const
{
    return const_cast<TrainingJobQueue*>(this)->entry(id);
}

void TrainingJobQueue::save(TrainingJob& job)
{
    m_store->update(job);
    Q_EMIT jobChanged(job.id);
}

QStringList TrainingJobQueue::nextArguments(const TrainingJob& job) const
{
    // A run killed before its first checkpoint has nothing to resume from: it starts over.
    const bool continues = job.resume || canResume(job.kind, job.state);
    return continues && holdsRun(job.outDir) ? job.arguments + QStringList{QStringLiteral("--resume")} : job.arguments;
}

void TrainingJobQueue::startWhatMay()
{
    if (m_closing) {
        return;
    }
    QSet<QString> busy;
    for (const auto& [id, job] : m_jobs) {
        if (job.state == JobState::Running) {
            busy.insert(job.device);
        }
    }
    for (auto& [id, job] : m_jobs) {
        if (job.state == JobState::Queued && !busy.contains(job.device)) {
            busy.insert(job.device);
            start(job);
        }
    }
}

void TrainingJobQueue::start(TrainingJob& job)
{
    const qint64 id = job.id;
    auto process = std::make_unique<JobProcess>();
    connect(process.get(), &JobProcess::finished, this, [this, id](const JobOutcome& outcome) { finish(id, outcome); });
    const QStringList arguments = nextArguments(job);
    job.state = JobState::Running;
    job.message.clear();
    save(job);
    if (job.kind == JobKind::Train) {
        follow(id).follower->start();
    }
    JobProcess* started = process.get();
    m_processes[id] = std::move(process);
    started->start(m_vora, arguments, logPath(id));
}

void TrainingJobQueue::finish(qint64 id, const JobOutcome& outcome)
{
    TrainingJob& job = entry(id);
    if (auto followed = m_follows.find(id); followed != m_follows.end()) {
        followed->second->follower->poll(); // the last lines the child wrote
        followed->second->follower->stop();
    }
    job.state = outcome.state;
    job.exitCode = outcome.exitCode;
    job.message = outcome.message;
    if (outcome.state == JobState::Done) {
        job.resume = false;
    }
    save(job);
    if (auto process = m_processes.find(id); process != m_processes.end()) {
        process->second.release()->deleteLater(); // finish() runs inside its signal
        m_processes.erase(process);
    }
    startWhatMay();
}

void TrainingJobQueue::pollAttached()
{
    for (auto it = m_attached.begin(); it != m_attached.end();) {
        const qint64 id = it->first;
        const TrainingJob& job = entry(id);
        if (runFolderIsLive(job.outDir)) {
            ++it;
            continue;
        }
        if (!QFileInfo(job.outDir).isDir()) {
            it = m_attached.erase(it);
            finish(id, {JobState::Missing, std::nullopt, QStringLiteral("Its folder %1 was deleted.").arg(job.outDir)});
            continue;
        }
        const JobOutcome outcome = outcomeFromRunFolder(job, it->second, logTail(logPath(id)));
        it = m_attached.erase(it);
        finish(id, outcome);
    }
    if (m_attached.empty()) {
        m_attachTimer.stop();
    }
}

TrainingJobQueue::Follow& TrainingJobQueue::follow(qint64 id)
{
    const QString runDir = entry(id).outDir;
    auto& slot = m_follows[id];
    if (!slot) {
        slot = std::make_unique<Follow>();
        slot->progress = std::make_unique<TrainingProgress>();
        slot->follower = std::make_unique<ProgressFollower>(QDir(runDir).filePath(QStringLiteral("progress.jsonl")));
        TrainingProgress* progress = slot->progress.get();
        connect(slot->follower.get(), &ProgressFollower::linesRead, progress, &TrainingProgress::addLines);
        connect(slot->follower.get(), &ProgressFollower::reset, progress, &TrainingProgress::clear);
        slot->follower->poll(); // what the run wrote before: a finished run shows its curves
    }
    return *slot;
}

} // namespace vora::app
