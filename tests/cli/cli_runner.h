#pragma once
// Runs the real `vora` executable for CLI tests and collects what it printed.
#include <QProcess>
#include <QStringList>

struct CliResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

inline CliResult runVora(const QStringList& arguments, const QByteArray& input = {}, int timeoutMs = 120000)
{
    QProcess process;
    process.start(QStringLiteral(VORA_CLI_PATH), arguments);
    CliResult result;
    if (!process.waitForStarted()) {
        return result;
    }
    if (!input.isEmpty()) {
        process.write(input);
    }
    process.closeWriteChannel();
    process.waitForFinished(timeoutMs);
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}
