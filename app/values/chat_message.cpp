#include "app/values/chat_message.h"

namespace vora::app {

QString messageStateName(MessageState state)
{
    switch (state) {
    case MessageState::Complete: return QStringLiteral("complete");
    case MessageState::Streaming: return QStringLiteral("streaming");
    case MessageState::Stopped: return QStringLiteral("stopped");
    case MessageState::Error: return QStringLiteral("error");
    }
    return QStringLiteral("complete");
}

MessageState messageStateFromName(const QString& name)
{
    for (MessageState state : {MessageState::Streaming, MessageState::Stopped, MessageState::Error}) {
        if (messageStateName(state) == name) {
            return state;
        }
    }
    return MessageState::Complete;
}

} // namespace vora::app
