#pragma once
// The usable samples of a list of data files, checked as `vora data check` checks them: bad lines are
// refused with their file:line and reason (or dropped when skipBad), over-long ones truncated.
// Plain C++ (no torch).
#include "training/sample_builder.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vora::training {

struct SampleSetOptions {
    ImageRootPolicy images;
    int64_t maxTextLen = 2048;
    bool skipBad = false;
    std::string role = "training"; // named in errors: "training" or "validation"
};

// Throws core::Error(InvalidArgument) listing the bad lines (at most 20), or when nothing is usable.
std::vector<TrainingSample> buildSampleSet(const std::vector<std::string>& files, const core::Tokenizer& tokenizer,
                                           const SampleSetOptions& options);

// --val-share: `share` of the samples (rounded, at least one) held out for validation, chosen by a seeded
// shuffle that is the same on every platform; both parts keep the files' order. Throws
// core::Error(InvalidArgument) when that would leave no training sample.
struct HeldOutSplit {
    std::vector<TrainingSample> training;
    std::vector<TrainingSample> validation;
};
HeldOutSplit holdOutShare(std::vector<TrainingSample> samples, double share, uint64_t seed);

} // namespace vora::training
