#include "cli/answer_summary.h"

#include <cmath>
#include <cstdio>

namespace vora::cli {

std::string stopReasonInWords(core::StopReason reason)
{
    switch (reason) {
    case core::StopReason::Eos: return "end of answer";
    case core::StopReason::Length: return "length limit";
    case core::StopReason::StopString: return "stop string";
    case core::StopReason::Cancelled: return "stopped";
    }
    return "unknown";
}

std::string answerSummary(const core::GenerationStats& stats, const std::string& middle, const std::string& suffix)
{
    char speed[32];
    std::snprintf(speed, sizeof speed, "%.1f", std::isfinite(stats.decodeTokensPerSecond) ? stats.decodeTokensPerSecond : 0.0);
    return "[" + std::to_string(stats.generatedTokens) + (stats.generatedTokens == 1 ? " token, " : " tokens, ")
           + stopReasonInWords(stats.stopReason) + "; " + middle + ", first token "
           + std::to_string(std::llround(stats.timeToFirstTokenMs)) + " ms, " + speed + " tok/s" + suffix + "]";
}

} // namespace vora::cli
