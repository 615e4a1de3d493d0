#include "app/finetune/vora_json_job.h"

#include "app/finetune/job_error.h"
#include "app/finetune/train_option_catalog.h"
#include "app/finetune/vora_json_command.h"

namespace vora::app {

VoraJsonJob::VoraJsonJob(const QString& voraExecutable, const QStringList& arguments, QList<int> okExitCodes, QObject* parent)
    : QObject(parent)
    , m_vora(voraExecutable)
    , m_arguments(arguments)
    , m_okExitCodes(std::move(okExitCodes))
{
}

VoraJsonJob::~VoraJsonJob()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.disconnect(this);
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void VoraJsonJob::start()
{
    const QString command = shellCommandLine(m_vora, m_arguments);
    connect(&m_process, &QProcess::errorOccurred, this, [this, command](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            Q_EMIT failed(QStringLiteral("%1 could not start: %2").arg(command, m_process.errorString()));
        }
    });
    connect(&m_process, &QProcess::finished, this, [this, command](int exitCode, QProcess::ExitStatus status) {
        if (status != QProcess::NormalExit) {
            Q_EMIT failed(QStringLiteral("%1 crashed: %2").arg(command, QString::fromUtf8(m_process.readAllStandardError()).trimmed()));
            return;
        }
        try {
            Q_EMIT finished(jsonAnswer(command, exitCode, m_process.readAllStandardOutput(), m_process.readAllStandardError(), m_okExitCodes).object);
        } catch (const JobError& error) {
            Q_EMIT failed(QString::fromUtf8(error.what()));
        }
    });
    m_process.start(m_vora, m_arguments);
}

} // namespace vora::app
