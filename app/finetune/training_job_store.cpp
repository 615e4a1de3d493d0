#include "app/finetune/training_job_store.h"

#include "app/storage/conversation_store.h"
#include "app/storage/sql_query.h"
#include "app/storage/store_error.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace vora::app {
namespace {

const QString kColumns = QStringLiteral("id, kind, title, device, out_dir, arguments_json, state, resume, exit_code, message, "
                                        "created_at, updated_at");

TrainingJob jobFrom(const QSqlQuery& query)
{
    TrainingJob job;
    job.id = query.value(0).toLongLong();
    const QString kind = query.value(1).toString();
    const QString state = query.value(6).toString();
    if (!jobKindFromName(kind) || !jobStateFromName(state)) {
        throw StoreError(QStringLiteral("training_jobs row %1: unknown kind \"%2\" or state \"%3\"").arg(job.id).arg(kind, state));
    }
    job.kind = *jobKindFromName(kind);
    job.title = query.value(2).toString();
    job.device = query.value(3).toString();
    job.outDir = query.value(4).toString();
    for (const QJsonValue& argument : QJsonDocument::fromJson(query.value(5).toString().toUtf8()).array()) {
        job.arguments.push_back(argument.toString());
    }
    job.state = *jobStateFromName(state);
    job.resume = query.value(7).toBool();
    if (!query.value(8).isNull()) {
        job.exitCode = query.value(8).toInt();
    }
    job.message = query.value(9).toString();
    job.createdMs = query.value(10).toLongLong();
    job.updatedMs = query.value(11).toLongLong();
    return job;
}

QVariant exitCodeColumn(const std::optional<int>& exitCode)
{
    return exitCode ? QVariant(*exitCode) : QVariant(QMetaType(QMetaType::Int));
}

} // namespace

TrainingJobStore::TrainingJobStore(const ConversationStore& store)
    : m_database(store.connection())
{
}

void TrainingJobStore::add(TrainingJob& job)
{
    job.createdMs = job.updatedMs = QDateTime::currentMSecsSinceEpoch();
    const QString arguments = QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(job.arguments)).toJson(QJsonDocument::Compact));
    const QSqlQuery query = runQuery(m_database,
                                     QStringLiteral("INSERT INTO training_jobs (kind, title, device, out_dir, arguments_json, state, "
                                                    "resume, exit_code, message, created_at, updated_at) "
                                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                                     {jobKindName(job.kind), job.title, job.device, job.outDir, arguments, jobStateName(job.state),
                                      job.resume ? 1 : 0, exitCodeColumn(job.exitCode), job.message, job.createdMs, job.updatedMs});
    job.id = query.lastInsertId().toLongLong();
}

void TrainingJobStore::update(TrainingJob& job)
{
    job.updatedMs = QDateTime::currentMSecsSinceEpoch();
    runQuery(m_database,
             QStringLiteral("UPDATE training_jobs SET state = ?, resume = ?, exit_code = ?, message = ?, updated_at = ? WHERE id = ?"),
             {jobStateName(job.state), job.resume ? 1 : 0, exitCodeColumn(job.exitCode), job.message, job.updatedMs, job.id});
}

void TrainingJobStore::remove(qint64 id)
{
    runQuery(m_database, QStringLiteral("DELETE FROM training_jobs WHERE id = ?"), {id});
}

QList<TrainingJob> TrainingJobStore::jobs() const
{
    QSqlQuery query = runQuery(m_database, QStringLiteral("SELECT %1 FROM training_jobs ORDER BY id").arg(kColumns));
    QList<TrainingJob> result;
    while (query.next()) {
        result.push_back(jobFrom(query));
    }
    return result;
}

std::optional<TrainingJob> TrainingJobStore::job(qint64 id) const
{
    QSqlQuery query = runQuery(m_database, QStringLiteral("SELECT %1 FROM training_jobs WHERE id = ?").arg(kColumns), {id});
    return query.next() ? std::optional<TrainingJob>(jobFrom(query)) : std::nullopt;
}

} // namespace vora::app
