#include "core/generation/generation_settings.h"

#include "core/error.h"

#include <cmath>

namespace vora::core {

void validateSampling(const SamplingParams& sampling)
{
    // NaN fails every comparison below, so each check is written to pass only for good values.
    require(std::isfinite(sampling.temperature) && sampling.temperature >= 0.0, ErrorCode::InvalidArgument,
            "temperature must be a finite number >= 0 (0 = greedy)");
    require(sampling.topP > 0.0 && sampling.topP <= 1.0, ErrorCode::InvalidArgument, "top-p must be in (0, 1]");
    require(sampling.topK >= 0, ErrorCode::InvalidArgument, "top-k must be >= 0");
    require(sampling.minP >= 0.0 && sampling.minP < 1.0, ErrorCode::InvalidArgument, "min-p must be in [0, 1)");
    require(std::isfinite(sampling.repetitionPenalty) && sampling.repetitionPenalty > 0.0, ErrorCode::InvalidArgument,
            "repetition penalty must be a finite number > 0");
}

void validateStopCriteria(const StopCriteria& stop)
{
    require(stop.maxNewTokens >= 1, ErrorCode::InvalidArgument, "max new tokens must be at least 1");
    require(stop.minNewTokens >= 0 && stop.minNewTokens <= stop.maxNewTokens, ErrorCode::InvalidArgument,
            "min new tokens must be between 0 and max new tokens");
}

} // namespace vora::core
