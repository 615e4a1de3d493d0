#include "training/sample_set.h"

#include "core/error.h"
#include "training/training_data.h"

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

} // namespace vora::training
