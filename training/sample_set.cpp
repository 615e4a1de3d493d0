#include "training/sample_set.h"

#include "core/error.h"
#include "training/training_data.h"

#include "training/seeded_order.h"

#include <algorithm>
#include <cmath>

namespace vora::training {

std::vector<TrainingSample> buildSampleSet(const std::vector<std::string>& files, const core::Tokenizer& tokenizer,
                                           const SampleSetOptions& options)
{
    const DataSet data = readDataFiles(files);
    DataCheckOptions check;
    check.images = options.images;
    check.tokenizer = &tokenizer;
    check.maxTextLen = options.maxTextLen;
    const DataCheckReport report = checkDataSet(data, check);
    std::vector<std::string> refused;
    for (const DataProblem& problem : report.problems) {
        if (problem.kind != DataProblemKind::OverLength) {
            refused.push_back(problem.describe());
        }
    }
    if (!refused.empty() && !options.skipBad) {
        std::string list;
        for (size_t i = 0; i < refused.size() && i < 20; ++i) {
            list += "\n  " + refused[i];
        }
        throw core::Error(core::ErrorCode::InvalidArgument,
                          std::to_string(refused.size()) + " bad " + options.role
                              + " sample line(s) (fix them, or pass --skip-bad-samples):" + list
                              + (refused.size() > 20 ? "\n  ..." : ""));
    }
    SampleBuilderOptions build;
    build.images = options.images;
    build.maxTextLen = options.maxTextLen;
    std::vector<TrainingSample> samples;
    for (size_t i = 0; i < data.records.size(); ++i) {
        if (!report.bad[i]) {
            samples.push_back(buildTrainingSample(data.records[i], tokenizer, build));
        }
    }
    core::require(!samples.empty(), core::ErrorCode::InvalidArgument, "no usable " + options.role + " samples");
    return samples;
}

HeldOutSplit holdOutShare(std::vector<TrainingSample> samples, double share, uint64_t seed)
{
    const size_t count = samples.size();
    const size_t held = std::max<size_t>(1, static_cast<size_t>(std::llround(share * static_cast<double>(count))));
    core::require(share > 0 && held < count, core::ErrorCode::InvalidArgument,
                  "--val-share " + std::to_string(share) + " of " + std::to_string(count) +
                      " training sample(s) leaves none to train on: give more data or a --val-data file");
    const std::vector<size_t> order = seededOrder(seed * 7919ULL + 0x5eedULL, count); // not the epoch orders' stream
    std::vector<bool> isHeld(count, false);
    for (size_t i = 0; i < held; ++i) {
        isHeld[order[i]] = true;
    }
    HeldOutSplit split;
    for (size_t i = 0; i < count; ++i) {
        (isHeld[i] ? split.validation : split.training).push_back(std::move(samples[i]));
    }
    return split;
}

} // namespace vora::training
