#include "training/validation.h"

#include "training/trainable_model.h"
#include "training/training_step.h"

#include <torch/torch.h>

#include <algorithm>

namespace vora::training {

ValidationResult validationLoss(TrainableModel& model, const std::vector<TrainingSample>& samples,
                                const CollateOptions& collate, int64_t batchSize)
{
    torch::NoGradGuard noGrad;
    model.materialize();
    ValidationResult result;
    double lossSum = 0;
    for (size_t start = 0; start < samples.size(); start += static_cast<size_t>(batchSize)) {
        std::vector<const TrainingSample*> batch;
        for (size_t i = start; i < std::min(samples.size(), start + static_cast<size_t>(batchSize)); ++i) {
            batch.push_back(&samples[i]);
        }
        const Batch collated = collateBatch(batch, collate);
        result.samples += collated.samples;
        if (collated.supervised == 0) {
            continue;
        }
        const StepLosses losses = computeLosses(model, collated, nullptr, false);
        lossSum += losses.lm.item<double>() * static_cast<double>(collated.supervised);
        result.supervisedTokens += collated.supervised;
    }
    result.loss = result.supervisedTokens > 0 ? lossSum / static_cast<double>(result.supervisedTokens) : 0.0;
    return result;
}

} // namespace vora::training
