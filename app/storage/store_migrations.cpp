// The conversation database's migrations, oldest first (the mechanism: store_schema.h). Append only.
#include "app/storage/sql_query.h"
#include "app/storage/store_schema.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <array>

namespace vora::app {
namespace {

// 1: conversations, messages, images (by content hash) and which message shows which image.
void createTables(QSqlDatabase& database)
{
    for (const char* statement : {
             "CREATE TABLE conversations (id INTEGER PRIMARY KEY, title TEXT NOT NULL, "
             "created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, settings_json TEXT)",
             "CREATE TABLE messages (id INTEGER PRIMARY KEY, "
             "conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, "
             "role TEXT NOT NULL, text TEXT NOT NULL, state TEXT NOT NULL, error TEXT, "
             "stats_json TEXT, created_at INTEGER NOT NULL)",
             "CREATE INDEX messages_by_conversation ON messages(conversation_id, id)",
             "CREATE TABLE images (hash TEXT PRIMARY KEY, file_name TEXT NOT NULL, "
             "byte_size INTEGER NOT NULL, created_at INTEGER NOT NULL)",
             "CREATE TABLE message_images (message_id INTEGER NOT NULL REFERENCES messages(id) "
             "ON DELETE CASCADE, position INTEGER NOT NULL, image_hash TEXT NOT NULL REFERENCES images(hash), "
             "PRIMARY KEY (message_id, position))",
         }) {
        runQuery(database, QString::fromLatin1(statement));
    }
}

// 2: answers' statistics under the keys of the shared contract: "decode_tokens_per_second" became
// "decode_tokens_per_s", and the stop reason "stop" became "stop_string".
void renameStatisticsKeys(QSqlDatabase& database)
{
    QList<std::pair<qint64, QJsonObject>> rows; // read them all before writing any
    QSqlQuery query = runQuery(database, QStringLiteral("SELECT id, stats_json FROM messages WHERE stats_json IS NOT NULL"));
    while (query.next()) {
        rows.append({query.value(0).toLongLong(), QJsonDocument::fromJson(query.value(1).toString().toUtf8()).object()});
    }
    for (auto& [id, stats] : rows) {
        const QJsonValue speed = stats.take(QStringLiteral("decode_tokens_per_second"));
        if (!speed.isUndefined() && !stats.contains(QStringLiteral("decode_tokens_per_s"))) {
            stats.insert(QStringLiteral("decode_tokens_per_s"), speed);
        }
        if (stats.value(QStringLiteral("stop_reason")) == QStringLiteral("stop")) {
            stats.insert(QStringLiteral("stop_reason"), QStringLiteral("stop_string"));
        }
        runQuery(database, QStringLiteral("UPDATE messages SET stats_json = ? WHERE id = ?"),
                 {QString::fromUtf8(QJsonDocument(stats).toJson(QJsonDocument::Compact)), id});
    }
}

// 3: which model a conversation last talked to (the sidebar shows it), and no more empty conversations:
// earlier versions saved one for every "New chat"; a conversation is now created with its first message.
void addModelNameDropEmptyConversations(QSqlDatabase& database)
{
    runQuery(database, QStringLiteral("ALTER TABLE conversations ADD COLUMN model_name TEXT"));
    runQuery(database, QStringLiteral("DELETE FROM conversations WHERE NOT EXISTS "
                                      "(SELECT 1 FROM messages WHERE messages.conversation_id = conversations.id)"));
}

// 4 (fine-tune wizard): the job queue. One row per `vora train` / `vora merge` job; arguments_json is
// the command line after `vora` (never with --resume: resume is the flag beside it); state is
// training_job.h's name of a JobState.
void createTrainingJobs(QSqlDatabase& database)
{
    runQuery(database, QStringLiteral("CREATE TABLE training_jobs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, "
                                      "title TEXT NOT NULL, device TEXT NOT NULL, out_dir TEXT NOT NULL, "
                                      "arguments_json TEXT NOT NULL, state TEXT NOT NULL, resume INTEGER NOT NULL DEFAULT 0, "
                                      "exit_code INTEGER, message TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)"));
}

// 5: answers' attention maps (app/attention/attention_codec.h's blob), one row per answer; they go
// with the answer (ON DELETE CASCADE: regenerating, editing or deleting removes the message row).
void createAnswerAttention(QSqlDatabase& database)
{
    runQuery(database, QStringLiteral("CREATE TABLE answer_attention (message_id INTEGER PRIMARY KEY "
                                      "REFERENCES messages(id) ON DELETE CASCADE, format_version INTEGER NOT NULL, "
                                      "byte_size INTEGER NOT NULL, data BLOB NOT NULL)"));
}

constexpr auto kMigrations = std::to_array<StoreMigration>({
    {"conversations, messages and images", &createTables},
    {"statistics keys decode_tokens_per_s and stop_string", &renameStatisticsKeys},
    {"conversations.model_name; empty conversations removed", &addModelNameDropEmptyConversations},
    {"training_jobs: the fine-tune job queue", &createTrainingJobs},
    {"answer_attention: attention maps saved with their answers", &createAnswerAttention},
});
static_assert(kMigrations.size() == kStoreSchemaVersion, "a new migration raises kStoreSchemaVersion");

} // namespace

std::span<const StoreMigration> storeMigrations()
{
    return kMigrations;
}

} // namespace vora::app
