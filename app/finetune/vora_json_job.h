#pragma once
// The asynchronous form of runVoraJson (vora_json_command.h), for checks that may take long on a big
// data set (`vora data check` decodes every image): the GUI stays live while the child runs. One run
// per object; destroying it kills a child still running. GUI thread.
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QStringList>

namespace vora::app {

class VoraJsonJob : public QObject {
    Q_OBJECT
public:
    VoraJsonJob(const QString& voraExecutable, const QStringList& arguments, QList<int> okExitCodes, QObject* parent = nullptr);
    ~VoraJsonJob() override;

    void start(); // exactly one of finished() and failed() follows

Q_SIGNALS:
    void finished(const QJsonObject& answer);
    void failed(const QString& message); // names the command; quotes its stderr

private:
    QProcess m_process;
    QString m_vora;
    QStringList m_arguments;
    QList<int> m_okExitCodes;
};

} // namespace vora::app
