#pragma once
// What a conversation runs with: its system prompt and the generation settings (core's one set of
// types: app/storage/json_codec.h is where they become JSON). A conversation without stored settings
// uses the model's defaults (ModelInfo::defaults) and no system prompt of its own.
#include "core/generation/generation_settings.h"

#include <QMetaType>
#include <QString>

namespace vora::app {

struct ConversationSettings {
    QString systemPrompt; // empty: the chat template's default system prompt
    core::GenerationSettings generation;

    bool operator==(const ConversationSettings&) const = default;
};

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::ConversationSettings)
Q_DECLARE_METATYPE(vora::core::GenerationSettings)
