#pragma once
// The JSON forms of a conversation's settings and of an answer's statistics, shared by the store
// (columns) and the exporter: the one place the app turns core's generation types into Qt types and
// back. Keys: the statistics' from core::visitStatistics; the settings' are generation_config.json's
// (temperature, top_p, ...) plus system_prompt and seed. Any thread.
//
// Settings come in layers (docs/studio.md, "Settings"): the model's defaults, the app-wide defaults
// the user set, a chat's own overrides. A layer above the model is a JSON object holding only the keys
// it overrides, so a field left alone keeps following the layer below.
#include "app/values/chat_message.h"
#include "app/values/conversation_settings.h"

#include <QJsonObject>

namespace vora::app {

QJsonObject settingsToJson(const ConversationSettings& settings); // eos ids are the model's: not written
ConversationSettings settingsFromJson(const QJsonObject& object); // missing keys keep the built-in defaults
// base with every key of overrides applied (unknown keys and values of the wrong type are ignored; eos
// ids stay the base's).
ConversationSettings applySettingsOverrides(const ConversationSettings& base, const QJsonObject& overrides);
// The keys whose value in chosen differs from base: what a layer must hold to turn base into chosen.
QJsonObject settingsOverrides(const ConversationSettings& chosen, const ConversationSettings& base);
QJsonObject statsToJson(const core::GenerationStats& stats);
core::GenerationStats statsFromJson(const QJsonObject& object); // unknown stop reasons read as "length"

} // namespace vora::app
