#include "training/memory_measure.h"

#include "core/chat/chat_template.h"
#include "core/device/memory_stats.h"
#include "training/adamw.h"
#include "training/batch_collator.h"
#include "training/distillation.h"
#include "training/trainable_model.h"
#include "training/training_step.h"

#include <torch/torch.h>

#include <chrono>

namespace vora::training {

MeasuredMemory measureTrainingMemory(const TrainOptions& options, int64_t textTokens, int64_t imagesPerSample)
{
    torch::manual_seed(options.seed);
    auto model = TrainableModel::create(options);
    std::unique_ptr<Distiller> distiller;
    if (!options.distillDir.empty()) {
        distiller = std::make_unique<Distiller>(options.distillDir, *model);
    }
    const core::VisionConfig vision = *model->model().config().vision;
    const int64_t vocab = model->model().config().vocabSize;
    TrainingSample sample;
    sample.ids.assign(static_cast<size_t>(imagesPerSample), core::kImageSentinelId);
    const at::Tensor text = torch::randint(0, vocab, {textTokens}, torch::kLong);
    for (int64_t i = 0; i < textTokens; ++i) {
        sample.ids.push_back(text[i].item<int64_t>());
    }
    sample.labels = sample.ids;
    std::vector<const TrainingSample*> samples(static_cast<size_t>(options.batchSize), &sample);
    std::vector<at::Tensor> pixels;
    for (int64_t i = 0; i < imagesPerSample * options.batchSize; ++i) {
        pixels.push_back(torch::randn({3, vision.imageSize, vision.imageSize}));
    }
    const c10::Device device = model->model().device();
    const Batch batch = collateWithPixels(samples, pixels, vision.patchSize, vision.attentionMask, device);
    std::vector<at::Tensor> masters;
    for (const TrainableParam& p : model->params()) {
        masters.push_back(p.master);
    }
    AdamW optimizer(masters, {});
    core::resetPeakMemory(device);
    MeasuredMemory result;
    for (int pass = 0; pass < 2; ++pass) {
        const auto started = std::chrono::steady_clock::now();
        optimizer.zeroGrad();
        model->materialize();
        computeLosses(*model, batch, distiller.get(), options.gradientCheckpointing).total.backward();
        optimizer.step(1e-9);
        core::synchronizeDevice(device);
        result.stepSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    }
    result.peakBytes = core::peakMemoryBytes(device);
    return result;
}

} // namespace vora::training
