#pragma once
// Generation statistics as JSON for `vora run --json` and `vora bench`, under the keys that
// core::visitStatistics spells, plus "stop_reason".
#include "core/generation/generation_stats.h"

#include <nlohmann/json.hpp>

namespace vora::cli {

inline nlohmann::json statisticsJson(const core::GenerationStats& stats)
{
    nlohmann::json out;
    core::visitStatistics(stats, [&](const char* key, const auto& value) { out[key] = value; });
    out["stop_reason"] = core::stopReasonName(stats.stopReason);
    return out;
}

} // namespace vora::cli
