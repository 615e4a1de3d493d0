// ConversationStore's attention maps: one blob per answer in answer_attention (migration 5).
#include "app/attention/attention_codec.h"
#include "app/storage/conversation_store.h"
#include "app/storage/sql_query.h"
#include "app/storage/store_error.h"

#include <QDir>
#include <QFileInfo>

namespace vora::app {

void ConversationStore::saveAttention(qint64 messageId, const AnswerAttention& attention)
{
    AnswerAttention stored = attention;
    const QDir images(m_imageDirectory);
    for (AttentionImage& image : stored.images) {
        if (QFileInfo(image.imagePath).absolutePath() == images.absolutePath()) {
            image.imagePath = QFileInfo(image.imagePath).fileName();
        }
    }
    const QByteArray blob = encodeAttention(stored);
    transaction([&] {
        runQuery(m_database, QStringLiteral("INSERT OR REPLACE INTO answer_attention (message_id, format_version, "
                                            "byte_size, data) VALUES (?, ?, ?, ?)"),
                 {messageId, kAttentionBlobVersion, qint64(blob.size()), blob});
    });
}

std::optional<AnswerAttention> ConversationStore::attention(qint64 messageId) const
{
    QSqlQuery query = runQuery(m_database, QStringLiteral("SELECT data FROM answer_attention WHERE message_id = ?"),
                               {messageId});
    if (!query.next()) {
        return std::nullopt;
    }
    AnswerAttention attention;
    try {
        attention = decodeAttention(query.value(0).toByteArray());
    } catch (const std::exception& error) {
        throw StoreError(QStringLiteral("Answer %1's attention map cannot be read: %2")
                             .arg(messageId)
                             .arg(QString::fromUtf8(error.what())));
    }
    const QDir images(m_imageDirectory);
    for (AttentionImage& image : attention.images) {
        if (QFileInfo(image.imagePath).isRelative()) {
            image.imagePath = images.filePath(image.imagePath);
        }
    }
    return attention;
}

bool ConversationStore::hasAttention(qint64 messageId) const
{
    return runQuery(m_database, QStringLiteral("SELECT 1 FROM answer_attention WHERE message_id = ?"), {messageId}).next();
}

} // namespace vora::app
