#include "app/storage/json_codec.h"

#include <QJsonArray>

namespace vora::app {
namespace {

// Numbers only; a value of another type keeps the default.
auto readNumber(const QJsonObject& object)
{
    return [&object](const char* key, auto& target) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isDouble()) {
            target = static_cast<std::remove_reference_t<decltype(target)>>(value.toDouble());
        }
    };
}

auto writeNumber(QJsonObject& object)
{
    return [&object](const char* key, const auto& value) { object.insert(QLatin1String(key), static_cast<double>(value)); };
}

} // namespace

QJsonObject settingsToJson(const ConversationSettings& settings)
{
    QJsonObject object{{QStringLiteral("system_prompt"), settings.systemPrompt}};
    core::visitGenerationSettings(settings.generation, writeNumber(object));
    QJsonArray stops;
    for (const std::string& stop : settings.generation.stop.stopStrings) {
        stops.append(QString::fromStdString(stop));
    }
    object.insert(QStringLiteral("stop_strings"), stops);
    return object;
}

ConversationSettings settingsFromJson(const QJsonObject& object)
{
    ConversationSettings settings;
    settings.systemPrompt = object.value(QStringLiteral("system_prompt")).toString();
    core::visitGenerationSettings(settings.generation, readNumber(object));
    for (const QJsonValue& stop : object.value(QStringLiteral("stop_strings")).toArray()) {
        if (stop.isString()) {
            settings.generation.stop.stopStrings.push_back(stop.toString().toStdString());
        }
    }
    return settings;
}

ConversationSettings applySettingsOverrides(const ConversationSettings& base, const QJsonObject& overrides)
{
    QJsonObject merged = settingsToJson(base);
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        if (merged.contains(it.key()) && merged.value(it.key()).type() == it.value().type()) {
            merged.insert(it.key(), it.value());
        }
    }
    ConversationSettings settings = settingsFromJson(merged);
    settings.generation.stop.eosIds = base.generation.stop.eosIds;
    return settings;
}

QJsonObject settingsOverrides(const ConversationSettings& chosen, const ConversationSettings& base)
{
    const QJsonObject from = settingsToJson(base);
    const QJsonObject to = settingsToJson(chosen);
    QJsonObject overrides;
    for (auto it = to.begin(); it != to.end(); ++it) {
        if (from.value(it.key()) != it.value()) {
            overrides.insert(it.key(), it.value());
        }
    }
    return overrides;
}

QJsonObject statsToJson(const core::GenerationStats& stats)
{
    QJsonObject object{{QStringLiteral("stop_reason"), QLatin1String(core::stopReasonName(stats.stopReason))}};
    core::visitStatistics(stats, writeNumber(object));
    return object;
}

core::GenerationStats statsFromJson(const QJsonObject& object)
{
    core::GenerationStats stats;
    core::visitStatistics(stats, readNumber(object));
    const QString reason = object.value(QStringLiteral("stop_reason")).toString();
    stats.stopReason = core::stopReasonFromName(reason.toStdString()).value_or(core::StopReason::Length);
    return stats;
}

} // namespace vora::app
