#include "app/finetune/job_process.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace vora::app {

// QProcess kills its child when destroyed; a job must outlive the object that watched it (the app
// closing while a step that cannot be cut short is still running), so the child is let go first.
class JobProcess::Child : public QProcess {
public:
    ~Child() override
    {
        if (state() != QProcess::NotRunning) {
            setProcessState(QProcess::NotRunning);
        }
    }
};

JobProcess::JobProcess(QObject* parent)
    : QObject(parent)
    , m_process(std::make_unique<Child>())
{
    connect(m_process.get(), &QProcess::finished, this, &JobProcess::onFinished);
    connect(m_process.get(), &QProcess::errorOccurred, this, &JobProcess::onErrorOccurred);
}

JobProcess::~JobProcess()
{
    m_process->disconnect(this);
}

qint64 JobProcess::pid() const
{
    return m_process->processId();
}

bool JobProcess::isRunning() const
{
    return m_process->state() != QProcess::NotRunning;
}

void JobProcess::start(const QString& program, const QStringList& arguments, const QString& logPath)
{
    m_logPath = logPath;
    m_requested = StopRequest::None;
    m_reported = false;
    QDir().mkpath(QFileInfo(logPath).absolutePath());
    m_process->setStandardOutputFile(QProcess::nullDevice());
    m_process->setStandardErrorFile(logPath, QIODevice::Append);
    m_process->start(program, arguments);
}

void JobProcess::pause()
{
    m_requested = StopRequest::Pause;
    m_process->terminate();
}

void JobProcess::cancel()
{
    m_requested = StopRequest::Cancel;
    m_process->terminate();
}

bool JobProcess::waitForFinished(int timeoutMs)
{
    return m_process->waitForFinished(timeoutMs);
}

void JobProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_reported) {
        m_reported = true;
        Q_EMIT finished(jobOutcome(status, exitCode, m_requested, logTail(m_logPath)));
    }
}

void JobProcess::onErrorOccurred(QProcess::ProcessError error)
{
    if (error == QProcess::FailedToStart && !m_reported) {
        m_reported = true;
        Q_EMIT finished({JobState::Failed, std::nullopt,
                         QStringLiteral("Cannot start %1: %2").arg(m_process->program(), m_process->errorString())});
    }
}

QString logTail(const QString& logPath, int lines)
{
    QFile file(logPath);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    constexpr qint64 kTailBytes = 16 * 1024;
    file.seek(std::max<qint64>(0, file.size() - kTailBytes));
    QStringList all = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (all.size() > lines) {
        all = all.mid(all.size() - lines);
    }
    return all.join(QLatin1Char('\n'));
}

} // namespace vora::app
