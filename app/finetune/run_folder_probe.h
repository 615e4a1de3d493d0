#pragma once
// What the app can tell about a `vora train` run folder without the trainer's code: whether a live
// trainer holds it (the trainer keeps an flock on RUN/.lock for its life and the OS drops it when the
// process dies; training/run_folder.h), and the last progress event it wrote. Any thread.
#include <QJsonObject>
#include <QString>

namespace vora::app {

// True while a live process holds RUN/.lock. A shared probe lock is taken and dropped at once.
bool runFolderIsLive(const QString& runDir);
// The pid the lock file names (0 when there is none).
qint64 runFolderOwnerPid(const QString& runDir);
// The last complete line of RUN/progress.jsonl; empty when there is none.
QJsonObject lastProgressLine(const QString& runDir);

} // namespace vora::app
