#pragma once
// Learning-rate schedules of the VoRA recipe (docs/vora-format.md, "Training"): constant after a linear warm-up
// (pre-training) and cosine decay after a linear warm-up (fine-tuning).
#include <cstdint>
#include <string>
#include <string_view>

namespace vora::training {

enum class ScheduleKind { ConstantWithWarmup, Cosine };

struct LrScheduleParams {
    ScheduleKind kind = ScheduleKind::ConstantWithWarmup;
    double peakLr = 2e-4;
    int64_t warmupSteps = 100;
    int64_t totalSteps = 0; // needed by cosine
    double minLrRatio = 0.0; // cosine floor as a fraction of peakLr
};

// Parses "constant_with_warmup" or "cosine"; throws core::Error(InvalidArgument) otherwise.
ScheduleKind parseScheduleKind(std::string_view name);
std::string_view scheduleKindName(ScheduleKind kind);

// The learning rate of optimizer update `step` (0-based), exactly as transformers'
// get_*_schedule_with_warmup: linear warm-up from 0, then constant or cosine to minLrRatio*peakLr.
double learningRateAt(const LrScheduleParams& params, int64_t step);

} // namespace vora::training
