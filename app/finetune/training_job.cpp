#include "app/finetune/training_job.h"

#include <array>
#include <utility>

namespace vora::app {
namespace {

constexpr std::array<std::pair<JobState, const char*>, 8> kStateNames = {{
    {JobState::Queued, "queued"},
    {JobState::Running, "running"},
    {JobState::Paused, "paused"},
    {JobState::Done, "done"},
    {JobState::Failed, "failed"},
    {JobState::Interrupted, "interrupted"},
    {JobState::Cancelled, "cancelled"},
    {JobState::Missing, "missing"},
}};

QString withLog(const QString& message, const QString& logTail)
{
    return logTail.trimmed().isEmpty() ? message : message + QStringLiteral("\n") + logTail.trimmed();
}

} // namespace

QString jobKindName(JobKind kind)
{
    return kind == JobKind::Train ? QStringLiteral("train") : QStringLiteral("merge");
}

std::optional<JobKind> jobKindFromName(const QString& name)
{
    if (name == QLatin1String("train")) {
        return JobKind::Train;
    }
    if (name == QLatin1String("merge")) {
        return JobKind::Merge;
    }
    return std::nullopt;
}

QString jobStateName(JobState state)
{
    for (const auto& [value, name] : kStateNames) {
        if (value == state) {
            return QString::fromLatin1(name);
        }
    }
    return {};
}

std::optional<JobState> jobStateFromName(const QString& name)
{
    for (const auto& [value, text] : kStateNames) {
        if (name == QLatin1String(text)) {
            return value;
        }
    }
    return std::nullopt;
}

bool canResume(JobKind kind, JobState state)
{
    return kind == JobKind::Train && (state == JobState::Paused || state == JobState::Interrupted);
}

JobOutcome jobOutcome(QProcess::ExitStatus status, int exitCode, StopRequest requested, const QString& logTail)
{
    if (status == QProcess::CrashExit) {
        if (requested == StopRequest::Cancel) {
            return {JobState::Cancelled, std::nullopt, QStringLiteral("Cancelled.")};
        }
        return {JobState::Interrupted, std::nullopt,
                withLog(QStringLiteral("The job was killed before it could save its last steps; resume continues from "
                                       "its last checkpoint."),
                        logTail)};
    }
    switch (exitCode) {
    case 0: return {JobState::Done, exitCode, QStringLiteral("Finished.")};
    case 130:
    case 143:
        if (requested == StopRequest::Cancel) {
            return {JobState::Cancelled, exitCode, QStringLiteral("Cancelled (its last checkpoint was saved).")};
        }
        return {JobState::Paused, exitCode,
                requested == StopRequest::Pause ? QStringLiteral("Paused; its checkpoint was saved.")
                                                : QStringLiteral("Stopped by %1 from outside the app; its checkpoint was saved.")
                                                      .arg(exitCode == 130 ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"))};
    case 1: return {JobState::Failed, exitCode, withLog(QStringLiteral("Failed:"), logTail)};
    case 2: return {JobState::Failed, exitCode, withLog(QStringLiteral("The command line was refused:"), logTail)};
    default: return {JobState::Failed, exitCode, withLog(QStringLiteral("Ended with exit code %1:").arg(exitCode), logTail)};
    }
}

} // namespace vora::app
