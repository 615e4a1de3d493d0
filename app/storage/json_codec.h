#pragma once
// The JSON forms of a conversation's settings and of an answer's statistics, shared by the store
// (columns) and the exporter: the one place the app turns core's generation types into Qt types and
// back. Keys: the statistics' from core::visitStatistics; the settings' are generation_config.json's
// (temperature, top_p, ...) plus system_prompt and seed. Any thread.
#include "app/values/chat_message.h"
#include "app/values/conversation_settings.h"

#include <QJsonObject>

namespace vora::app {

QJsonObject settingsToJson(const ConversationSettings& settings); // eos ids are the model's: not written
ConversationSettings settingsFromJson(const QJsonObject& object); // missing keys keep the built-in defaults
QJsonObject statsToJson(const core::GenerationStats& stats);
core::GenerationStats statsFromJson(const QJsonObject& object); // unknown stop reasons read as "length"

} // namespace vora::app
