#include "training/lr_schedule.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace vora::training {

ScheduleKind parseScheduleKind(std::string_view name)
{
    if (name == "constant_with_warmup") {
        return ScheduleKind::ConstantWithWarmup;
    }
    if (name == "cosine") {
        return ScheduleKind::Cosine;
    }
    throw core::Error(core::ErrorCode::InvalidArgument,
                      "unknown schedule '" + std::string(name) + "' (use constant_with_warmup or cosine)");
}

std::string_view scheduleKindName(ScheduleKind kind)
{
    return kind == ScheduleKind::Cosine ? "cosine" : "constant_with_warmup";
}

double learningRateAt(const LrScheduleParams& params, int64_t step)
{
    core::require(step >= 0, core::ErrorCode::InvalidArgument, "learning-rate step must be >= 0");
    // Mirrors transformers' get_constant_schedule_with_warmup / get_cosine_schedule_with_warmup,
    // which the reference trainer uses: update `step` (0-based) runs with lr(step).
    if (step < params.warmupSteps) {
        return params.peakLr * static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, params.warmupSteps));
    }
    if (params.kind == ScheduleKind::ConstantWithWarmup) {
        return params.peakLr;
    }
    core::require(params.totalSteps > params.warmupSteps, core::ErrorCode::InvalidArgument,
                  "cosine schedule needs total steps > warm-up steps");
    const double progress = std::clamp(static_cast<double>(step - params.warmupSteps)
                                           / static_cast<double>(params.totalSteps - params.warmupSteps),
                                       0.0, 1.0);
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
    return params.peakLr * (params.minLrRatio + (1.0 - params.minLrRatio) * cosine);
}

} // namespace vora::training
