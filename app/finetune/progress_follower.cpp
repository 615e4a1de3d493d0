#include "app/finetune/progress_follower.h"

#include <QFile>
#include <QJsonDocument>

#include <sys/stat.h>

namespace vora::app {

ProgressFollower::ProgressFollower(QString progressPath, QObject* parent)
    : QObject(parent)
    , m_path(std::move(progressPath))
{
    connect(&m_timer, &QTimer::timeout, this, &ProgressFollower::poll);
}

void ProgressFollower::start(int intervalMs)
{
    m_timer.start(intervalMs);
    poll();
}

void ProgressFollower::stop()
{
    m_timer.stop();
}

void ProgressFollower::poll()
{
    struct stat status {};
    if (::stat(QFile::encodeName(m_path).constData(), &status) != 0) {
        return; // not written yet (the trainer creates it at its first line), or the folder is gone
    }
    const quint64 inode = status.st_ino;
    if ((m_inode != 0 && inode != m_inode) || status.st_size < m_offset) {
        m_offset = 0;
        m_partial.clear();
        Q_EMIT reset();
    }
    m_inode = inode;
    if (status.st_size == m_offset) {
        return;
    }
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly) || !file.seek(m_offset)) {
        return; // tried again at the next poll
    }
    const QByteArray added = file.readAll();
    m_offset += added.size();
    m_partial += added;
    const qsizetype lastNewline = m_partial.lastIndexOf('\n');
    if (lastNewline < 0) {
        return;
    }
    QList<QJsonObject> lines;
    for (const QByteArray& text : m_partial.left(lastNewline).split('\n')) {
        const QJsonDocument document = QJsonDocument::fromJson(text);
        if (document.isObject()) {
            lines.push_back(document.object());
        } else if (!text.trimmed().isEmpty()) {
            ++m_skippedLines;
        }
    }
    m_partial.remove(0, lastNewline + 1);
    if (!lines.isEmpty()) {
        Q_EMIT linesRead(lines);
    }
}

} // namespace vora::app
