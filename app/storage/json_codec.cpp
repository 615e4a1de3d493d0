#include "app/storage/json_codec.h"

namespace vora::app {
namespace {

template <typename T>
void read(const QJsonObject& object, const char* key, T& target)
{
    const QJsonValue value = object.value(QLatin1String(key));
    if constexpr (std::is_same_v<T, QString>) {
        if (value.isString()) {
            target = value.toString();
        }
    } else if (value.isDouble()) {
        target = static_cast<T>(value.toDouble());
    }
}

} // namespace

QJsonObject settingsToJson(const GenerationSettings& settings)
{
    return {{QStringLiteral("system_prompt"), settings.systemPrompt},
            {QStringLiteral("temperature"), settings.temperature},
            {QStringLiteral("top_p"), settings.topP},
            {QStringLiteral("top_k"), settings.topK},
            {QStringLiteral("min_p"), settings.minP},
            {QStringLiteral("repetition_penalty"), settings.repetitionPenalty},
            {QStringLiteral("max_new_tokens"), settings.maxNewTokens},
            {QStringLiteral("seed"), static_cast<double>(settings.seed)}};
}

GenerationSettings settingsFromJson(const QJsonObject& object)
{
    GenerationSettings settings;
    read(object, "system_prompt", settings.systemPrompt);
    read(object, "temperature", settings.temperature);
    read(object, "top_p", settings.topP);
    read(object, "top_k", settings.topK);
    read(object, "min_p", settings.minP);
    read(object, "repetition_penalty", settings.repetitionPenalty);
    read(object, "max_new_tokens", settings.maxNewTokens);
    read(object, "seed", settings.seed);
    return settings;
}

QJsonObject statsToJson(const GenerationStats& stats)
{
    return {{QStringLiteral("prefill_ms"), stats.prefillMs},
            {QStringLiteral("time_to_first_token_ms"), stats.timeToFirstTokenMs},
            {QStringLiteral("decode_tokens_per_second"), stats.decodeTokensPerSecond},
            {QStringLiteral("prompt_tokens"), stats.promptTokens},
            {QStringLiteral("generated_tokens"), stats.generatedTokens},
            {QStringLiteral("peak_memory_bytes"), static_cast<double>(stats.peakMemoryBytes)},
            {QStringLiteral("stop_reason"), stats.stopReason}};
}

GenerationStats statsFromJson(const QJsonObject& object)
{
    GenerationStats stats;
    read(object, "prefill_ms", stats.prefillMs);
    read(object, "time_to_first_token_ms", stats.timeToFirstTokenMs);
    read(object, "decode_tokens_per_second", stats.decodeTokensPerSecond);
    read(object, "prompt_tokens", stats.promptTokens);
    read(object, "generated_tokens", stats.generatedTokens);
    read(object, "peak_memory_bytes", stats.peakMemoryBytes);
    read(object, "stop_reason", stats.stopReason);
    return stats;
}

} // namespace vora::app
