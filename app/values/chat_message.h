#pragma once
// Value types of the conversation state: what the store persists, the item models show and the
// controllers pass between threads. app/values includes no other app folder, so every folder can use it.
#include "core/generation/generation_stats.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace vora::app {

enum class MessageState { Complete, Streaming, Stopped, Error };

QString messageStateName(MessageState state);        // "complete" | "streaming" | "stopped" | "error"
MessageState messageStateFromName(const QString& name); // unknown names read as Complete

struct ChatMessage {
    qint64 id = 0;
    qint64 conversationId = 0;
    QString role; // user | assistant | system
    QString text;
    MessageState state = MessageState::Complete;
    QString error;                              // details when state is Error
    std::optional<core::GenerationStats> stats; // assistant answers that finished or stopped
    QStringList imageHashes;                    // SHA-256 hex of each attached image, in order
    QStringList imagePaths;                     // the stored files of those images, same order
    QDateTime created;
    bool hasAttention = false; // an attention map is saved with this answer (ConversationStore::attention)
    QString notice; // a note for this session only (e.g. a clamped token budget); not stored
};

struct ConversationSummary {
    qint64 id = 0;
    QString title;
    QDateTime created;
    QDateTime updated;
    QString modelName; // the model it last talked to; empty when unknown
};

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::ChatMessage)
Q_DECLARE_METATYPE(vora::core::GenerationStats)
