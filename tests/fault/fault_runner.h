#pragma once
// Runs a command with a fault injected (core/io/fault_injection.h) and reports how it ended.
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSet>
#include <QStringList>

#include <functional>

struct FaultRun {
    bool killed = false; // ended by the injected SIGKILL
    int exitCode = -1;   // when not killed
    QByteArray out;
    QByteArray err;
};

// fault: VORA_FAULT's value ("" for none); log: VORA_FAULT_LOG's ("" for none). childSetup runs in
// the child before exec (resource limits).
inline FaultRun runWithFault(const QString& program, const QStringList& arguments, const QString& fault,
                             const QString& log = {}, std::function<void()> childSetup = {}, int timeoutMs = 120000)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("VORA_FAULT"));
    environment.remove(QStringLiteral("VORA_FAULT_LOG"));
    if (!fault.isEmpty()) {
        environment.insert(QStringLiteral("VORA_FAULT"), fault);
    }
    if (!log.isEmpty()) {
        environment.insert(QStringLiteral("VORA_FAULT_LOG"), log);
    }
    process.setProcessEnvironment(environment);
    if (childSetup) {
        process.setChildProcessModifier(childSetup);
    }
    process.start(program, arguments);
    FaultRun run;
    if (!process.waitForStarted() || !process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.err = "did not start or did not finish";
        return run;
    }
    run.killed = process.exitStatus() == QProcess::CrashExit;
    run.exitCode = run.killed ? -1 : process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

// The distinct names in a VORA_FAULT_LOG file, in first-visit order.
inline QStringList visitedPoints(const QString& logPath)
{
    QFile file(logPath);
    QStringList names;
    if (file.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : file.readAll().split('\n')) {
            if (!line.isEmpty() && !names.contains(QString::fromUtf8(line))) {
                names.append(QString::fromUtf8(line));
            }
        }
    }
    return names;
}
