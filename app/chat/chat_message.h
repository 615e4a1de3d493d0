#pragma once
// Value types of the conversation state: what the store persists and the item models show.
#include "app/inference/chat_backend.h"

#include <QDateTime>
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
    QString error;                        // details when state is Error
    std::optional<GenerationStats> stats; // assistant answers that finished or stopped
    QStringList imageHashes;              // SHA-256 hex of each attached image, in order
    QStringList imagePaths;               // the stored files of those images, same order
    QDateTime created;
};

struct ConversationSummary {
    qint64 id = 0;
    QString title;
    QDateTime created;
    QDateTime updated;
};

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::ChatMessage)
