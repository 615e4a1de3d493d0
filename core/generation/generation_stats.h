#pragma once
// How a generation ended and what it cost, in plain C++ (no torch), with the one list of the JSON
// keys these statistics go by wherever they are written: `vora run --json`, `vora bench`, the app's
// conversation database and its exports (docs/architecture.md, "JSON keys").
#include <cstdint>
#include <optional>
#include <string_view>

namespace vora::core {

enum class StopReason { Eos, Length, StopString, Cancelled };

// "eos" | "length" | "stop_string" | "cancelled"
const char* stopReasonName(StopReason reason);
std::optional<StopReason> stopReasonFromName(std::string_view name);

struct GenerationStats {
    StopReason stopReason = StopReason::Length;
    double prefillMs = 0;
    double timeToFirstTokenMs = 0;
    double decodeTokensPerSecond = 0;
    int64_t promptTokens = 0; // after image expansion
    int64_t imageTokens = 0;
    int64_t generatedTokens = 0;
    int64_t peakMemoryBytes = 0;

    bool operator==(const GenerationStats&) const = default;
};

// Calls visit(key, member) for every numeric statistic, with the member as double& or int64_t&
// (const when stats is const): the one place their JSON keys are spelled. The stop reason is not
// visited; it goes by "stop_reason" with stopReasonName().
template <typename Stats, typename Visit>
void visitStatistics(Stats& stats, Visit&& visit)
{
    visit("prefill_ms", stats.prefillMs);
    visit("time_to_first_token_ms", stats.timeToFirstTokenMs);
    visit("decode_tokens_per_s", stats.decodeTokensPerSecond);
    visit("prompt_tokens", stats.promptTokens);
    visit("image_tokens", stats.imageTokens);
    visit("generated_tokens", stats.generatedTokens);
    visit("peak_memory_bytes", stats.peakMemoryBytes);
}

} // namespace vora::core
