#pragma once
// The fine-tune job queue's rows in the conversation database (table training_jobs, migration 4 in
// app/storage/store_migrations.cpp). Uses the ConversationStore's connection: same thread as it (the
// GUI thread). Every method throws StoreError.
#include "app/finetune/training_job.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace vora::app {

class ConversationStore;

class TrainingJobStore {
public:
    explicit TrainingJobStore(const ConversationStore& store);

    // Inserts job and fills in its id and times.
    void add(TrainingJob& job);
    // Writes state, resume, exit code and message, and sets updatedMs.
    void update(TrainingJob& job);
    void remove(qint64 id);
    QList<TrainingJob> jobs() const; // oldest first: the queue's order
    std::optional<TrainingJob> job(qint64 id) const;

private:
    QSqlDatabase m_database;
};

} // namespace vora::app
