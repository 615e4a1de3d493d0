#include "cli/byte_format.h"
#include "cli/commands.h"
#include "cli/train_options_cli.h"
#include "core/model/model_config.h"
#include "training/teacher_config.h"
#include "training/memory_estimate.h"
#include "training/memory_measure.h"
#include "training/train_option_table.h"

#include <nlohmann/json.hpp>
#include <optional>

#include <cstdio>
#include <iostream>

namespace vora::cli {
namespace {

std::string gib(int64_t bytes)
{
    return formatGiB(bytes, 3, 9);
}

} // namespace

int runEstimate(const Arguments& args)
{
    std::vector<OptionSpec> specs = trainOptionSpecs();
    specs.push_back({"text-tokens", true, "text tokens per sample (1 to 1048576; default --max-text-len)", "N"});
    specs.push_back({"images-per-sample", true, "images per sample (0 to 256; default 1)", "N"});
    specs.push_back({"measure", false, "also run two real steps and report the measured peak"});
    specs.push_back({"json", false, "print one JSON object"});
    const CommandLine line("vora estimate --model DIR [train options] [--measure]", specs, args);
    training::TrainOptions options = readTrainOptions(line);
    if (options.modelDir.empty()) {
        throw UsageError("--model is required");
    }
    training::MemoryEstimateInput input;
    input.config = core::loadModelConfig(options.modelDir);
    input.options = options;
    // Bounded by --max-text-len's own range, and so every product of the estimate fits its 128-bit arithmetic.
    const auto maxTextTokens = static_cast<long long>(*training::findTrainOption("max-text-len")->max);
    input.textTokens = line.integerIn("text-tokens", 1, maxTextTokens).value_or(options.maxTextLen);
    input.imagesPerSample = line.integerIn("images-per-sample", 0, 256).value_or(1);
    const bool cuda = options.device != "cpu";
    input.dtypeBytes = options.dtype == "float32" || (options.dtype == "auto" && !cuda) ? 4 : 2;
    input.explicitAttention = !cuda;
    if (!options.distillDir.empty()) {
        const training::TeacherConfig t = training::loadTeacherConfig(options.distillDir);
        input.teacher = training::TeacherShape{t.width, t.layers, t.intermediate};
    }
    const training::MemoryEstimate e = training::estimateTrainingMemory(input);
    std::optional<training::MeasuredMemory> measured;
    if (line.has("measure")) {
        measured = training::measureTrainingMemory(options, input.textTokens, input.imagesPerSample);
    }
    if (line.has("json")) {
        nlohmann::json j = nlohmann::json::parse(e.toJson());
        if (measured) {
            j["measured_peak_bytes"] = measured->peakBytes;
            j["measured_step_seconds"] = measured->stepSeconds;
        }
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::cout << "Predicted peak memory per device (" << e.sequenceTokens << " tokens per sample, batch "
              << options.batchSize << ", " << (options.gradientCheckpointing ? "with" : "without")
              << " gradient checkpointing)\n"
              << "  weights (model dtype)          " << gib(e.weightsBytes) << "  (" << e.baseParameters << " parameters)\n"
              << "  trainable float32 masters      " << gib(e.loraBytes) << "  (" << e.trainableParameters << " parameters)\n"
              << "  AdamW states                   " << gib(e.optimizerBytes) << "\n"
              << "  gradients                      " << gib(e.gradientBytes) << "\n"
              << "  activations                    " << gib(e.activationBytes) << "  (without checkpointing "
              << gib(e.activationBytesNoCheckpointing) << ", with " << gib(e.activationBytesCheckpointing) << ")\n"
              << "  logits + loss                  " << gib(e.logitsBytes) << "\n"
              << "  distillation teacher + heads   " << gib(e.teacherBytes) << "\n"
              << "  total                          " << gib(e.totalBytes) << "\n";
    if (measured) {
        std::cout << "Measured peak (2 steps on " << options.device << "): " << gib(measured->peakBytes) << ", "
                  << measured->stepSeconds << " s per step\n";
    }
    return 0;
}

} // namespace vora::cli
