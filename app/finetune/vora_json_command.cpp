#include "app/finetune/vora_json_command.h"

#include "app/finetune/job_error.h"
#include "app/finetune/train_option_catalog.h"

#include <QJsonDocument>
#include <QProcess>

namespace vora::app {

JsonCommandResult runVoraJson(const QString& voraExecutable, const QStringList& arguments, QList<int> okExitCodes, int timeoutMs)
{
    const QString command = shellCommandLine(voraExecutable, arguments);
    QProcess process;
    process.start(voraExecutable, arguments);
    if (!process.waitForFinished(timeoutMs) || process.exitStatus() != QProcess::NormalExit) {
        process.kill();
        process.waitForFinished(5000);
        throw JobError(QStringLiteral("%1 did not finish: %2").arg(command, process.errorString()));
    }
    const QString errors = QString::fromUtf8(process.readAllStandardError()).trimmed();
    if (!okExitCodes.contains(process.exitCode())) {
        throw JobError(QStringLiteral("%1 failed (exit %2): %3").arg(command).arg(process.exitCode()).arg(errors));
    }
    const QJsonDocument document = QJsonDocument::fromJson(process.readAllStandardOutput().trimmed());
    if (!document.isObject()) {
        throw JobError(QStringLiteral("%1 printed no JSON object. %2").arg(command, errors));
    }
    return {document.object(), process.exitCode()};
}

} // namespace vora::app
