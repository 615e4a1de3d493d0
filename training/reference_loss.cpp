#include "training/reference_loss.h"

#include "core/error.h"
#include "core/model/vora_model.h"
#include "core/tokenizer/tokenizer.h"
#include "training/batch_collator.h"
#include "training/sample_builder.h"
#include "training/training_step.h"

#include <torch/torch.h>

namespace vora::training {

ReferenceLoss computeReferenceLoss(const std::string& modelDir, const std::vector<DataRecord>& records,
                                   const ReferenceLossOptions& options)
{
    core::ModelLoadOptions load;
    load.device = options.device;
    load.dtype = options.dtype;
    const auto model = core::VoraModel::load(modelDir, load);
    const auto tokenizer = core::Tokenizer::load(modelDir);
    CollateOptions collate;
    collate.device = model->device();
    if (model->config().vision) {
        collate.preprocess = core::PreprocessConfig::fromModelDir(modelDir);
        collate.maskMode = model->config().vision->attentionMask;
    }
    SampleBuilderOptions build;
    build.images = options.images;
    build.maxTextLen = options.maxTextLen;

    torch::InferenceMode noGrad;
    double lossSum = 0;
    ReferenceLoss result;
    // One sample per forward: no padding, and memory stays that of the longest sample.
    for (const DataRecord& record : records) {
        const TrainingSample sample = buildTrainingSample(record, *tokenizer, build);
        core::require(sample.imagePaths.empty() || model->vision().has_value(), core::ErrorCode::InvalidArgument,
                      record.file + ":" + std::to_string(record.line) + ": the sample has images but "
                          + modelDir + " has no vision embedding");
        const Batch batch = collateBatch({&sample}, collate);
        if (batch.supervised == 0) {
            continue;
        }
        const StepLosses losses = computeLosses(*model, batch);
        lossSum += losses.lm.item<double>() * static_cast<double>(batch.supervised);
        result.tokens += batch.supervised;
        result.samples += 1;
    }
    result.meanLoss = result.tokens > 0 ? lossSum / static_cast<double>(result.tokens) : 0.0;
    return result;
}

} // namespace vora::training
