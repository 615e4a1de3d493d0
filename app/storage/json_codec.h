#pragma once
// JSON forms of the settings and statistics, shared by the store (columns) and the exporter. Any thread.
#include "app/inference/chat_backend.h"

#include <QJsonObject>

namespace vora::app {

QJsonObject settingsToJson(const GenerationSettings& settings);
GenerationSettings settingsFromJson(const QJsonObject& object); // missing keys keep their defaults
QJsonObject statsToJson(const GenerationStats& stats);
GenerationStats statsFromJson(const QJsonObject& object);

} // namespace vora::app
