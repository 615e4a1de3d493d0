#include "app/finetune/run_folder_probe.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace vora::app {
namespace {

QString lockPath(const QString& runDir)
{
    return QDir(runDir).filePath(QStringLiteral(".lock"));
}

} // namespace

bool runFolderIsLive(const QString& runDir)
{
    const int fd = ::open(QFile::encodeName(lockPath(runDir)).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return locked;
}

qint64 runFolderOwnerPid(const QString& runDir)
{
    QFile file(lockPath(runDir));
    return file.open(QIODevice::ReadOnly) ? file.read(32).trimmed().toLongLong() : 0;
}

QJsonObject lastProgressLine(const QString& runDir)
{
    QFile file(QDir(runDir).filePath(QStringLiteral("progress.jsonl")));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    constexpr qint64 kTailBytes = 64 * 1024; // far more than one line
    file.seek(std::max<qint64>(0, file.size() - kTailBytes));
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (auto line = lines.crbegin(); line != lines.crend(); ++line) {
        const QJsonDocument document = QJsonDocument::fromJson(*line);
        if (document.isObject()) {
            return document.object();
        }
    }
    return {};
}

} // namespace vora::app
