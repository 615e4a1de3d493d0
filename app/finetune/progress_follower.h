#pragma once
// Follows a run's progress.jsonl as the trainer appends to it: each poll reads only the bytes added
// since the last one and hands on the complete lines (a line still being written waits for its
// newline). The app reads progress from this file, never from the child's stdout, so the same code
// follows a run it started, a run that outlived an earlier app, and a resumed run (which appends).
// A file that shrank or was replaced (a run started over with --overwrite) is read again from the
// start, after reset(). GUI thread.
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTimer>

namespace vora::app {

class ProgressFollower : public QObject {
    Q_OBJECT
public:
    explicit ProgressFollower(QString progressPath, QObject* parent = nullptr);

    void start(int intervalMs = 200); // poll on a timer
    void stop();
    // Reads what is new now (also the timer's work; call it once more after the trainer exits).
    void poll();

    QString path() const { return m_path; }
    int skippedLines() const { return m_skippedLines; } // complete lines that were not JSON objects

Q_SIGNALS:
    void reset();                                // forget what was read: the file is read anew
    void linesRead(const QList<QJsonObject>& lines); // complete new lines, in file order

private:
    QString m_path;
    QTimer m_timer;
    qint64 m_offset = 0;
    quint64 m_inode = 0;
    QByteArray m_partial;
    int m_skippedLines = 0;
};

} // namespace vora::app
