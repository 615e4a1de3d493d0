#include "core/generation/generation_stats.h"

namespace vora::core {

const char* stopReasonName(StopReason reason)
{
    switch (reason) {
    case StopReason::Eos: return "eos";
    case StopReason::Length: return "length";
    case StopReason::StopString: return "stop_string";
    case StopReason::Cancelled: return "cancelled";
    }
    return "length";
}

std::optional<StopReason> stopReasonFromName(std::string_view name)
{
    for (StopReason reason : {StopReason::Eos, StopReason::Length, StopReason::StopString, StopReason::Cancelled}) {
        if (name == stopReasonName(reason)) {
            return reason;
        }
    }
    return std::nullopt;
}

} // namespace vora::core
