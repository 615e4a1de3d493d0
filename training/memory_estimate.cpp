#include "training/memory_estimate.h"

#include "core/error.h"
#include "core/model/parameter_names.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace vora::training {
namespace {

struct Shapes {
    int64_t d, inter, q, kv;
};

} // namespace

std::string MemoryEstimate::toJson() const
{
    const nlohmann::json j = {
        {"base_parameters", baseParameters}, {"trainable_parameters", trainableParameters},
        {"weights_bytes", weightsBytes}, {"lora_bytes", loraBytes}, {"optimizer_bytes", optimizerBytes},
        {"gradient_bytes", gradientBytes}, {"activation_bytes", activationBytes},
        {"activation_bytes_no_checkpointing", activationBytesNoCheckpointing},
        {"activation_bytes_checkpointing", activationBytesCheckpointing}, {"logits_bytes", logitsBytes},
        {"teacher_bytes", teacherBytes}, {"sequence_tokens", sequenceTokens}, {"total_bytes", totalBytes},
    };
    return j.dump();
}

MemoryEstimate estimateTrainingMemory(const MemoryEstimateInput& in)
{
    const core::ModelConfig& c = in.config;
    const TrainOptions& o = in.options;
    const Shapes s{c.hiddenSize, c.intermediateSize, int64_t(c.numHeads) * c.headDim, int64_t(c.numKeyValueHeads) * c.headDim};
    const int64_t b = in.dtypeBytes;
    const int64_t imageSize = c.vision ? c.vision->imageSize : o.imageSize;
    const int64_t patch = c.vision ? c.vision->patchSize : o.patchSize;
    const int64_t width = c.vision ? c.vision->intermediateSize : o.visionWidth;
    const int64_t grid = imageSize / patch;

    const int64_t perBlock = 2 * s.d * s.q + 2 * s.d * s.kv + 3 * s.d * s.inter + 2 * s.d
                             + (c.attentionBias ? s.q + 2 * s.kv : 0);
    const int64_t embeddings = c.vocabSize * s.d * (c.tieWordEmbeddings ? 1 : 2);
    const int64_t vision = 3 * patch * patch * width + 2 * width + grid * grid * width + width * s.d;
    MemoryEstimate e;
    e.baseParameters = embeddings + int64_t(c.numLayers) * perBlock + s.d + vision;

    const int loraLayers = std::min(o.loraLayers, c.numLayers);
    int64_t loraPerToken = 0; // x A^T kept per token and LoRA block
    int64_t trainable = vision;
    if (o.trainsLora()) {
        for (const std::string& target : o.loraTargets) {
            const auto slot = core::param::linearSlotOfTarget(target);
            core::require(slot.has_value(), core::ErrorCode::InvalidArgument, "unknown LoRA target " + target);
            const core::param::LinearShape shape = core::param::linearShape(*slot, c);
            trainable += int64_t(loraLayers) * o.loraRank * (shape.in + shape.out);
            loraPerToken += o.loraRank;
        }
    } else {
        trainable = e.baseParameters;
    }
    if (in.teacher) {
        trainable += int64_t(in.teacher->layers) * (s.d + s.d * in.teacher->width);
    }
    e.trainableParameters = trainable;
    const int64_t extraCompute = b == 4 ? 0 : trainable * b; // materialized casts
    e.weightsBytes = (o.trainsLora() ? e.baseParameters * b : 0) + extraCompute;
    e.loraBytes = trainable * 4;
    e.optimizerBytes = 2 * trainable * 4;
    e.gradientBytes = trainable * 4;

    const int64_t text = in.textTokens > 0 ? in.textTokens : o.maxTextLen;
    e.sequenceTokens = text + in.imagesPerSample * grid * grid;
    const int64_t tokens = o.batchSize * e.sequenceTokens;
    // Kept per token and block: norm inputs and their float32 statistics, q/k/v before and after RoPE,
    // the attention output, o_proj input, residuals, the MLP's gate/up/silu/product, LoRA's x A^T.
    const int64_t perTokenBlock = b * (8 * s.d + 3 * s.kv + 4 * s.inter + loraPerToken) + 4 * 2 * s.d;
    int64_t attentionProbs = 0;
    if (in.explicitAttention) {
        attentionProbs = int64_t(c.numHeads) * e.sequenceTokens * e.sequenceTokens * o.batchSize * (b + 4);
    }
    const int64_t blockActivations = tokens * perTokenBlock + attentionProbs;
    e.activationBytesNoCheckpointing = int64_t(c.numLayers) * blockActivations;
    e.activationBytesCheckpointing = int64_t(c.numLayers) * tokens * s.d * b + blockActivations;
    e.activationBytes = o.gradientCheckpointing ? e.activationBytesCheckpointing : e.activationBytesNoCheckpointing;
    e.logitsBytes = tokens * c.vocabSize * (b + 4 + 4);
    if (in.teacher) {
        const TeacherShape& t = *in.teacher;
        const int64_t teacherParams = int64_t(t.layers) * (4 * t.width * t.width + 3 * t.width * t.intermediate)
                                      + 3 * patch * patch * t.width + grid * grid * t.width;
        const int64_t imageTokens = o.batchSize * in.imagesPerSample * grid * grid;
        e.teacherBytes = teacherParams * b + imageTokens * (t.layers * t.width * 4 + 4 * t.intermediate * b)
                         + int64_t(t.layers) * imageTokens * (s.d * b + t.width * 4 * 2);
    }
    e.totalBytes = e.weightsBytes + e.loraBytes + e.optimizerBytes + e.gradientBytes + e.activationBytes
                   + e.logitsBytes + e.teacherBytes;
    return e;
}

} // namespace vora::training
