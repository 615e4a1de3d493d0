#pragma once
// The line `vora run` and `vora chat` print on stderr after an answer, for people: the stop reason in
// words (the app's wording: "end of answer", "length limit", "stop string", "stopped"), times in whole
// milliseconds, speed to one decimal. Scripts read --json, which keeps stop_reason's code names.
#include "core/generation/generation_stats.h"

#include <string>

namespace vora::cli {

std::string stopReasonInWords(core::StopReason reason);

// "[12 tokens, end of answer; <middle>, first token 519 ms, 29.1 tok/s<suffix>]"; middle says what
// the command measured before the first token (load and prefill, or reused positions).
std::string answerSummary(const core::GenerationStats& stats, const std::string& middle, const std::string& suffix = {});

} // namespace vora::cli
