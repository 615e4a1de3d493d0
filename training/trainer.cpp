#include "training/trainer.h"

#include "core/device/memory_stats.h"
#include "core/error.h"
#include "core/image/image_preprocessor.h"
#include "core/model/parameter_names.h"
#include "core/tokenizer/tokenizer.h"
#include "training/adamw.h"
#include "training/batch_collator.h"
#include "training/checkpoint_state.h"
#include "training/checkpoint_store.h"
#include "training/distillation.h"
#include "training/lr_schedule.h"
#include "training/progress_log.h"
#include "training/run_folder.h"
#include "training/sample_set.h"
#include "training/seeded_order.h"
#include "training/trainable_model.h"
#include "training/training_step.h"
#include "training/validation.h"
#include "training/warm_start.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

namespace vora::training {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The order of epoch e depends on the seed and e only, so a resumed run sees the same batches.
std::vector<size_t> epochOrder(uint64_t seed, int64_t epoch, size_t count)
{
    return seededOrder(seed * 1000003ULL + static_cast<uint64_t>(epoch), count);
}

struct DataCursor {
    int64_t epoch = 0;
    int64_t position = 0;
};

class Loop {
public:
    Loop(const TrainOptions& options, const ProgressLog::Sink& sink)
        : m_options(options), m_log(options.outDir, sink)
    {
        validateTrainOptions(options);
        torch::manual_seed(options.seed);
        const auto tokenizer = core::Tokenizer::load(options.tokenizerPath.empty() ? options.modelDir : options.tokenizerPath);
        SampleSetOptions sampleSet{{options.imageRoot, options.allowImagesOutsideRoot}, options.maxTextLen,
                                   options.skipBadSamples, "training"};
        m_samples = buildSampleSet(options.dataFiles, *tokenizer, sampleSet);
        if (!options.valDataFiles.empty()) {
            sampleSet.role = "validation";
            m_valSamples = buildSampleSet(options.valDataFiles, *tokenizer, sampleSet);
        } else if (options.valShare > 0) {
            HeldOutSplit split = holdOutShare(std::move(m_samples), options.valShare, options.seed);
            m_samples = std::move(split.training);
            m_valSamples = std::move(split.validation);
        }
        m_model = TrainableModel::create(options);
        if (!options.distillDir.empty()) {
            m_distiller = std::make_unique<Distiller>(options.distillDir, *m_model);
        }
        // A resumed run restores its own tensors; the warm start matters only to a run's first start.
        const bool resuming = options.resume && fs::exists(fs::path(options.outDir) / "latest");
        if (!options.initFrom.empty() && !resuming) {
            m_warmStart = warmStartFrom(*m_model, options.initFrom);
        }
        for (const TrainableParam& p : m_model->params()) {
            m_masters.push_back(p.master);
        }
        m_optimizer = std::make_unique<AdamW>(m_masters, AdamWOptions{0.9, 0.999, 1e-8, options.weightDecay});
        const core::ModelConfig& config = m_model->model().config();
        m_collate.preprocess.imageSize = config.vision->imageSize;
        m_collate.preprocess.patchSize = config.vision->patchSize;
        if (!m_model->freshVision()) {
            m_collate.preprocess = core::PreprocessConfig::fromModelDir(options.modelDir);
        }
        m_collate.maskMode = config.vision->attentionMask;
        m_collate.device = m_model->model().device();
        const int64_t microPerEpoch = (static_cast<int64_t>(m_samples.size()) + options.batchSize - 1) / options.batchSize;
        const int64_t stepsPerEpoch = std::max<int64_t>(1, microPerEpoch / options.gradAccum);
        m_totalSteps = options.maxSteps > 0 ? options.maxSteps : options.epochs * stepsPerEpoch;
        m_schedule = {options.schedule, options.lr, options.warmupSteps, m_totalSteps, options.minLrRatio};
    }

    TrainResult run(const std::atomic<bool>* stop)
    {
        fs::create_directories(m_options.outDir);
        TrainResult result;
        // The restored step is already saved; saving it again would delete the folder `latest` names
        // before its replacement is renamed in (a crash there would leave no usable checkpoint).
        int64_t savedAt = -1;
        if (m_options.resume && fs::exists(fs::path(m_options.outDir) / "latest")) {
            result.lastCheckpoint = resolveCheckpointDir(m_options.outDir);
            restore(result.lastCheckpoint);
            savedAt = m_step;
        }
        result.startStep = m_step;
        result.totalSteps = m_totalSteps;
        const bool causal = m_collate.maskMode == core::VisionAttentionMask::Causal;
        m_log.emit("start", {{"step", m_step}, {"total_steps", m_totalSteps}, {"samples", m_samples.size()},
                             {"val_samples", m_valSamples.size()}, {"trainable_parameters", m_model->trainableElements()},
                             {"device", m_collate.device.str()}, {"image_attention", causal ? "causal" : "bidirectional"},
                             {"distill_heads", m_distiller ? m_distiller->heads() : 0}});
        if (m_warmStart) {
            m_log.emit("warm_start", {{"path", m_warmStart->checkpointDir}, {"loaded_tensors", m_warmStart->loadedTensors},
                                      {"fresh_tensors", m_warmStart->freshTensors}});
        }
        const auto started = std::chrono::steady_clock::now();
        while (m_step < m_totalSteps) {
            const auto stepStarted = std::chrono::steady_clock::now();
            json line = trainStep();
            result.losses.push_back(line["loss"].get<double>());
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - stepStarted).count();
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const int64_t done = m_step - result.startStep;
            line["tokens_per_s"] = line["tokens"].get<double>() / std::max(seconds, 1e-9);
            line["samples_per_s"] = line["samples"].get<double>() / std::max(seconds, 1e-9);
            line["memory_bytes"] = core::peakMemoryBytes(m_collate.device);
            line["eta_s"] = elapsed / static_cast<double>(done) * static_cast<double>(m_totalSteps - m_step);
            m_log.emit("step", line);
            const bool stopping = stop && stop->load();
            const bool validationDue = !m_valSamples.empty()
                                       && ((m_options.valEvery > 0 && m_step % m_options.valEvery == 0) || m_step == m_totalSteps);
            if (validationDue && !stopping) {
                validate();
            }
            if ((m_options.saveEvery > 0 && m_step % m_options.saveEvery == 0) || stopping || m_step == m_totalSteps) {
                result.lastCheckpoint = save();
                savedAt = m_step;
            }
            if (stopping) {
                result.stopped = true;
                break;
            }
        }
        if (savedAt != m_step && !result.stopped) {
            result.lastCheckpoint = save();
        }
        result.finalStep = m_step;
        json last = {{"step", m_step}, {"checkpoint", result.lastCheckpoint}};
        if (result.stopped) {
            last["reason"] = "signal";
        }
        m_log.emit(result.stopped ? "stopped" : "done", last);
        return result;
    }

private:
    std::vector<const TrainingSample*> nextMicroBatch()
    {
        std::vector<const TrainingSample*> batch;
        const auto order = epochOrder(m_options.seed, m_cursor.epoch, m_samples.size());
        while (static_cast<int64_t>(batch.size()) < m_options.batchSize
               && m_cursor.position < static_cast<int64_t>(order.size())) {
            batch.push_back(&m_samples[order[static_cast<size_t>(m_cursor.position++)]]);
        }
        if (m_cursor.position >= static_cast<int64_t>(order.size())) {
            m_cursor = {m_cursor.epoch + 1, 0};
        }
        return batch;
    }

    json trainStep()
    {
        m_optimizer->zeroGrad();
        double loss = 0, lm = 0;
        std::vector<double> aux;
        int64_t tokens = 0, samples = 0;
        const double scale = 1.0 / static_cast<double>(m_options.gradAccum);
        for (int64_t micro = 0; micro < m_options.gradAccum; ++micro) {
            const Batch batch = collateBatch(nextMicroBatch(), m_collate);
            m_model->materialize();
            const StepLosses losses = computeLosses(*m_model, batch, m_distiller.get(), m_options.gradientCheckpointing);
            (losses.total * scale).backward();
            loss += losses.total.item<double>() * scale;
            lm += losses.lm.item<double>() * scale;
            aux.resize(std::max(aux.size(), losses.aux.size()), 0.0);
            for (size_t k = 0; k < losses.aux.size(); ++k) {
                aux[k] += losses.aux[k].item<double>() * scale;
            }
            tokens += batch.tokens;
            samples += batch.samples;
        }
        const double gradNorm = clipGradNorm(m_masters, m_options.maxGradNorm);
        const double lr = learningRateAt(m_schedule, m_step);
        m_optimizer->step(lr);
        ++m_step;
        m_samplesSeen += samples;
        double auxMean = 0;
        for (const double a : aux) {
            auxMean += a / static_cast<double>(aux.size());
        }
        return {{"step", m_step}, {"total_steps", m_totalSteps}, {"epoch", m_cursor.epoch}, {"loss", loss}, {"lm_loss", lm},
                {"aux_loss", auxMean}, {"aux_losses", aux}, {"lr", lr}, {"grad_norm", gradNorm}, {"tokens", tokens},
                {"samples", samples}};
    }

    std::string save()
    {
        CheckpointContents contents;
        contents.trainable = m_model->stateDict();
        const auto& params = m_model->params();
        for (size_t i = 0; i < params.size(); ++i) {
            contents.optimizer[core::param::optimizerFirstMoment(params[i].name)] = m_optimizer->expAvg()[i];
            contents.optimizer[core::param::optimizerSecondMoment(params[i].name)] = m_optimizer->expAvgSq()[i];
        }
        contents.optimizer[std::string(core::param::kCpuRngState)] = at::detail::getDefaultCPUGenerator().get_state();
        const json state = {{"step", m_step}, {"optimizer_steps", m_optimizer->steps()}, {"epoch", m_cursor.epoch},
                            {"position", m_cursor.position}, {"samples_seen", m_samplesSeen},
                            {"total_steps", m_totalSteps}, {"lora_scale", m_model->loraScale()},
                            {"schedule", scheduleKindName(m_options.schedule)}, {"lr", m_options.lr},
                            {"warmup_steps", m_options.warmupSteps}, {"data_samples", m_samples.size()},
                            {"options", json::parse(toJson(m_options))}};
        json withValidation = state;
        if (m_validation.contains("step") && m_validation["step"] == m_step) {
            withValidation["validation"] = m_validation;
        }
        contents.stateJson = withValidation.dump(1);
        const std::string dir = writeCheckpoint(m_options.outDir, m_step, contents);
        m_log.emit("checkpoint", {{"step", m_step}, {"path", dir}});
        if (m_options.keepCheckpoints > 0) {
            pruneCheckpoints(m_options.outDir, m_options.keepCheckpoints);
        }
        return dir;
    }

    void restore(const std::string& dir)
    {
        const CheckpointContents contents = readCheckpoint(dir, m_collate.device);
        const std::string statePath = dir + "/state.json";
        const CheckpointState state = parseCheckpointState(contents.stateJson, statePath);
        core::require(state.dataSamples == static_cast<int64_t>(m_samples.size()), core::ErrorCode::InvalidArgument,
                      dir + ": the checkpoint was trained on a different data set (sample count differs)");
        m_model->loadState(contents.trainable, true, dir + "/trainable.safetensors");
        torch::NoGradGuard noGrad;
        const std::string optimizerPath = dir + "/optimizer.safetensors";
        const auto optimizerTensor = [&](const std::string& name, const at::Tensor& like) {
            const auto found = contents.optimizer.find(name);
            core::require(found != contents.optimizer.end(), core::ErrorCode::MissingWeights, optimizerPath + ": no tensor " + name);
            core::require(found->second.sizes() == like.sizes(), core::ErrorCode::ShapeMismatch,
                          optimizerPath + ": " + name + " does not have its parameter's shape");
            return found->second;
        };
        const auto& params = m_model->params();
        for (size_t i = 0; i < params.size(); ++i) {
            m_optimizer->expAvg()[i].copy_(optimizerTensor(core::param::optimizerFirstMoment(params[i].name), m_optimizer->expAvg()[i]));
            m_optimizer->expAvgSq()[i].copy_(optimizerTensor(core::param::optimizerSecondMoment(params[i].name), m_optimizer->expAvgSq()[i]));
        }
        at::Generator generator = at::detail::getDefaultCPUGenerator();
        const at::Tensor rng = optimizerTensor(std::string(core::param::kCpuRngState), generator.get_state());
        core::require(rng.scalar_type() == at::kByte, core::ErrorCode::CorruptFile, optimizerPath + ": __rng__.cpu is not U8");
        generator.set_state(rng.to(torch::kCPU));
        m_optimizer->setSteps(state.optimizerSteps);
        m_step = state.step;
        m_cursor = {state.epoch, state.position};
        m_samplesSeen = state.samplesSeen;
        m_log.emit("resumed", {{"step", m_step}, {"path", dir}});
    }

    void validate()
    {
        const ValidationResult v = validationLoss(*m_model, m_valSamples, m_collate, m_options.batchSize);
        m_validation = {{"step", m_step}, {"val_loss", v.loss}, {"val_samples", v.samples}, {"val_tokens", v.supervisedTokens}};
        m_log.emit("validation", m_validation);
    }

    const TrainOptions& m_options;
    ProgressLog m_log;
    std::vector<TrainingSample> m_samples;
    std::vector<TrainingSample> m_valSamples;
    json m_validation = json::object(); // the latest validation line's fields
    std::unique_ptr<TrainableModel> m_model;
    std::unique_ptr<Distiller> m_distiller;
    std::optional<WarmStart> m_warmStart;
    std::vector<at::Tensor> m_masters;
    std::unique_ptr<AdamW> m_optimizer;
    CollateOptions m_collate;
    LrScheduleParams m_schedule;
    int64_t m_totalSteps = 0;
    int64_t m_step = 0;
    int64_t m_samplesSeen = 0;
    DataCursor m_cursor;
};

} // namespace

TrainResult runTraining(const TrainOptions& options, const std::atomic<bool>* stop,
                        const std::function<void(const std::string&)>& onProgressLine)
{
    // Before anything is loaded or logged: a refused --out must not get a line in another run's log.
    const RunFolderLock lock = openRunFolder(options.outDir, options.resume, options.overwrite);
    Loop loop(options, onProgressLine);
    return loop.run(stop);
}

} // namespace vora::training
