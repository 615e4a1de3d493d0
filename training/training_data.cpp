#include "training/training_data.h"

#include "core/error.h"
#include "core/image/image_decoder.h"
#include "core/image/model_image.h"
#include "training/sample_builder.h"

#include <filesystem>

namespace vora::training {
namespace {

int64_t histogramBucket(int64_t length)
{
    int64_t bucket = 1;
    while (bucket * 2 <= length) {
        bucket *= 2;
    }
    return length <= 0 ? 0 : bucket;
}

} // namespace

DataCheckReport checkDataSet(const DataSet& data, const DataCheckOptions& options)
{
    DataCheckReport report;
    report.problems = data.problems;
    report.bad.assign(data.records.size(), false);
    SampleBuilderOptions build;
    build.images = options.images;
    build.maxTextLen = options.maxTextLen;
    for (size_t i = 0; i < data.records.size(); ++i) {
        const DataRecord& record = data.records[i];
        auto flag = [&](DataProblemKind kind, const std::string& message) {
            report.problems.push_back({record.file, record.line, kind, message});
            report.bad[i] = true;
        };
        for (const std::string& frame : record.frames) {
            const ResolvedFrame resolved = resolveFrame(frame, record.file, options.images);
            if (resolved.refused()) {
                flag(DataProblemKind::OutsideImageRoot, resolved.refusal);
                continue;
            }
            const std::string& path = resolved.path;
            if (!std::filesystem::is_regular_file(path)) {
                flag(DataProblemKind::MissingImage, path + " does not exist");
                continue;
            }
            if (options.decodeImages) {
                try {
                    if (core::isPixelFile(path)) {
                        core::loadModelImage(path, core::PreprocessConfig{}); // shape and dtype checks
                    } else {
                        core::decodeImageFile(path);
                    }
                } catch (const core::Error& e) {
                    flag(DataProblemKind::CorruptImage, e.what());
                }
            }
        }
        if (options.tokenizer) {
            build.maxTextLen = 1 << 30;
            const TrainingSample sample = buildTrainingSample(record, *options.tokenizer, build);
            report.lengthHistogram[histogramBucket(sample.textTokens)] += 1;
            report.maxTextTokens = std::max(report.maxTextTokens, sample.textTokens);
            if (sample.textTokens > options.maxTextLen) {
                // Over-length samples are truncated in training: reported, not refused.
                report.problems.push_back({record.file, record.line, DataProblemKind::OverLength,
                                           std::to_string(sample.textTokens) + " text tokens > --max-text-len "
                                               + std::to_string(options.maxTextLen) + " (will be truncated)"});
            }
        }
        if (!report.bad[i]) {
            ++report.goodSamples;
            ++(record.frames.empty() ? report.textOnlySamples : report.imageSamples);
        }
    }
    report.lines = static_cast<int64_t>(data.records.size() + data.problems.size());
    return report;
}

} // namespace vora::training
