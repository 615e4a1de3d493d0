#pragma once
// Runs one `vora` subcommand that prints a single JSON object (`vora data check --json`,
// `vora estimate --json`) and returns that object: the app reuses the CLI's checks instead of keeping
// its own copy (vora_app links core only; training code lives behind the `vora` command).
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace vora::app {

struct JsonCommandResult {
    QJsonObject object;
    int exitCode = 0;
};

// The JSON object a finished child printed (for a JSON-lines stream such as `vora train --json`, its last
// line). Throws JobError (naming command and quoting stderr) when its
// exit code is not in okExitCodes or it printed no JSON object.
JsonCommandResult jsonAnswer(const QString& command, int exitCode, const QByteArray& out, const QByteArray& errors,
                             const QList<int>& okExitCodes);

// okExitCodes: the exit codes that still carry a JSON answer (`vora data check` exits 1 when it lists
// bad lines). Throws JobError with the command line and its stderr when the child cannot start, times
// out, exits otherwise, or prints no JSON object.
JsonCommandResult runVoraJson(const QString& voraExecutable, const QStringList& arguments, QList<int> okExitCodes = {0},
                              int timeoutMs = 120000);

} // namespace vora::app
