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
    return jsonAnswer(command, process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError(), okExitCodes);
}

JsonCommandResult jsonAnswer(const QString& command, int exitCode, const QByteArray& out, const QByteArray& errorBytes,
                             const QList<int>& okExitCodes)
{
    const QString errors = QString::fromUtf8(errorBytes).trimmed();
    if (!okExitCodes.contains(exitCode)) {
        throw JobError(QStringLiteral("%1 failed (exit %2): %3").arg(command).arg(exitCode).arg(errors));
    }
    QJsonDocument document = QJsonDocument::fromJson(out.trimmed());
    if (!document.isObject()) {
        // A JSON-lines stream (`vora train --json`): its last line is the answer ("done").
        document = QJsonDocument::fromJson(out.trimmed().split('\n').last());
    }
    if (!document.isObject()) {
        throw JobError(QStringLiteral("%1 printed no JSON object. %2").arg(command, errors));
    }
    return {document.object(), exitCode};
}

} // namespace vora::app
