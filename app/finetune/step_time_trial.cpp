#include "app/finetune/step_time_trial.h"

#include "app/finetune/job_error.h"
#include "app/finetune/vora_json_job.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace vora::app {

namespace {

// Drops "--flag" and its value (the next word unless that is another flag).
QStringList withoutFlag(const QStringList& arguments, const QString& flag)
{
    QStringList kept;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        if (arguments.at(i) == flag) {
            if (i + 1 < arguments.size() && !arguments.at(i + 1).startsWith(QLatin1String("--"))) {
                ++i;
            }
            continue;
        }
        kept.push_back(arguments.at(i));
    }
    return kept;
}

} // namespace

StepTiming stepTimingFromProgress(const QString& progressPath)
{
    QFile file(progressPath);
    if (!file.open(QIODevice::ReadOnly)) {
        throw JobError(QStringLiteral("%1: cannot read: %2").arg(progressPath, file.errorString()));
    }
    QList<double> stepTimes;
    while (!file.atEnd()) {
        const QJsonObject line = QJsonDocument::fromJson(file.readLine()).object();
        if (line.value(QStringLiteral("event")).toString() == QLatin1String("step")) {
            stepTimes.push_back(line.value(QStringLiteral("time")).toDouble());
        }
    }
    if (stepTimes.size() < 2) {
        throw JobError(QStringLiteral("%1: %2 step lines; at least two are needed to time a step").arg(progressPath).arg(stepTimes.size()));
    }
    // From the end of the first step to the end of the last: the first step (lazy initialisation) is out.
    const int intervals = static_cast<int>(stepTimes.size()) - 1;
    return {intervals, (stepTimes.last() - stepTimes.first()) / intervals};
}

QStringList trialArguments(const QStringList& trainArguments, const QString& outDir, int steps)
{
    QStringList arguments = trainArguments;
    // A trial trains on all the data: a held-out share (--val-share) would only add a validation pass at its end.
    for (const char* flag : {"--out", "--max-steps", "--epochs", "--resume", "--overwrite", "--save-every", "--val-every",
                             "--val-share"}) {
        arguments = withoutFlag(arguments, QLatin1String(flag));
    }
    const QString past = QString::number(steps + 1);
    arguments << QStringLiteral("--out") << outDir << QStringLiteral("--max-steps") << QString::number(steps)
              << QStringLiteral("--save-every") << past << QStringLiteral("--json");
    if (arguments.contains(QLatin1String("--val-data"))) { // the trainer takes --val-every only with it
        arguments << QStringLiteral("--val-every") << past;
    }
    return arguments;
}

StepTimeTrial::StepTimeTrial(QString voraExecutable, QObject* parent)
    : QObject(parent)
    , m_vora(std::move(voraExecutable))
{
}

StepTimeTrial::~StepTimeTrial() { cancel(); }

void StepTimeTrial::start(const QStringList& trainArguments)
{
    cancel();
    m_dir = std::make_unique<QTemporaryDir>();
    const QString out = m_dir->filePath(QStringLiteral("trial"));
    m_job = new VoraJsonJob(m_vora, trialArguments(trainArguments, out), {0}, this);
    connect(m_job, &VoraJsonJob::finished, this, [this, out](const QJsonObject&) {
        try {
            const StepTiming timing = stepTimingFromProgress(out + QStringLiteral("/progress.jsonl"));
            finish();
            Q_EMIT measured(timing);
        } catch (const JobError& error) {
            finish();
            Q_EMIT failed(QString::fromUtf8(error.what()));
        }
    });
    connect(m_job, &VoraJsonJob::failed, this, [this](const QString& message) {
        finish();
        Q_EMIT failed(message);
    });
    m_job->start();
}

void StepTimeTrial::cancel()
{
    if (m_job != nullptr) {
        m_job->disconnect(this);
        delete m_job; // kills a child still running
        m_job = nullptr;
    }
    m_dir.reset();
}

void StepTimeTrial::finish()
{
    m_job->deleteLater(); // its signal is still being delivered
    m_job = nullptr;
    m_dir.reset();
}

} // namespace vora::app
