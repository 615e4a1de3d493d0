#include "app/finetune/vora_executable.h"

#include "app/finetune/job_error.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace vora::app {

QString findVoraExecutable()
{
    const QString fromEnvironment = qEnvironmentVariable("VORA_CLI");
    if (!fromEnvironment.isEmpty()) {
        if (QFileInfo(fromEnvironment).isExecutable()) {
            return fromEnvironment;
        }
        throw JobError(QStringLiteral("VORA_CLI names %1, which is not an executable file").arg(fromEnvironment));
    }
    const QString besideApp = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("vora"));
    if (QFileInfo(besideApp).isExecutable()) {
        return besideApp;
    }
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("vora"));
    if (!onPath.isEmpty()) {
        return onPath;
    }
    throw JobError(QStringLiteral("The `vora` command was not found: not at %1, not on PATH (set VORA_CLI to its path)")
                       .arg(besideApp));
}

} // namespace vora::app
