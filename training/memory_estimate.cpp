#include "training/memory_estimate.h"

#include "core/error.h"
#include "core/model/parameter_names.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

namespace vora::training {
namespace {

// Every product is formed in 128 bits (the options allow sizes whose products pass 2^63: 2^20 text tokens x
// 2^16 samples x 2^16 LoRA rank ...), then checked into the int64 fields.
__extension__ typedef __int128 Wide;

struct Shapes {
    Wide d, inter, q, kv;
};

int64_t narrowed(Wide bytes, const char* what)
{
    core::require(bytes >= 0 && bytes <= Wide(INT64_MAX), core::ErrorCode::InvalidArgument,
                  std::string("the memory estimate's ") + what
                      + " passes 2^63 bytes: lower --max-text-len, --batch-size, --lora-rank or the image size");
    return static_cast<int64_t>(bytes);
}

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
    const Shapes s{c.hiddenSize, c.intermediateSize, Wide(c.numHeads) * c.headDim, Wide(c.numKeyValueHeads) * c.headDim};
    const Wide b = in.dtypeBytes;
    const Wide imageSize = c.vision ? c.vision->imageSize : o.imageSize;
    const Wide patch = c.vision ? c.vision->patchSize : o.patchSize;
    const Wide width = c.vision ? c.vision->intermediateSize : o.visionWidth;
    const Wide grid = imageSize / patch;

    const Wide perBlock = 2 * s.d * s.q + 2 * s.d * s.kv + 3 * s.d * s.inter + 2 * s.d
                          + (c.attentionBias ? s.q + 2 * s.kv : 0);
    const Wide embeddings = Wide(c.vocabSize) * s.d * (c.tieWordEmbeddings ? 1 : 2);
    const Wide vision = 3 * patch * patch * width + 2 * width + grid * grid * width + width * s.d;
    const Wide baseParameters = embeddings + Wide(c.numLayers) * perBlock + s.d + vision;

    const int loraLayers = std::min(o.loraLayers, c.numLayers);
    Wide loraPerToken = 0; // x A^T kept per token and LoRA block
    Wide trainable = vision;
    if (o.trainsLora()) {
        for (const std::string& target : o.loraTargets) {
            const auto slot = core::param::linearSlotOfTarget(target);
            core::require(slot.has_value(), core::ErrorCode::InvalidArgument, "unknown LoRA target " + target);
            const core::param::LinearShape shape = core::param::linearShape(*slot, c);
            trainable += Wide(loraLayers) * o.loraRank * (Wide(shape.in) + shape.out);
            loraPerToken += o.loraRank;
        }
    } else {
        trainable = baseParameters;
    }
    if (in.teacher) {
        trainable += Wide(in.teacher->layers) * (s.d + s.d * in.teacher->width);
    }
    const Wide extraCompute = b == 4 ? 0 : trainable * b; // materialized casts
    const Wide weightsBytes = (o.trainsLora() ? baseParameters * b : 0) + extraCompute;

    const Wide text = in.textTokens > 0 ? in.textTokens : o.maxTextLen;
    const Wide sequenceTokens = text + Wide(in.imagesPerSample) * grid * grid;
    const Wide tokens = Wide(o.batchSize) * sequenceTokens;
    // Kept per token and block: norm inputs and their float32 statistics, q/k/v before and after RoPE,
    // the attention output, o_proj input, residuals, the MLP's gate/up/silu/product, LoRA's x A^T.
    const Wide perTokenBlock = b * (8 * s.d + 3 * s.kv + 4 * s.inter + loraPerToken) + 4 * 2 * s.d;
    Wide attentionProbs = 0;
    if (in.explicitAttention) {
        attentionProbs = Wide(c.numHeads) * sequenceTokens * sequenceTokens * o.batchSize * (b + 4);
    }
    const Wide blockActivations = tokens * perTokenBlock + attentionProbs;
    const Wide activationsNoCheckpointing = Wide(c.numLayers) * blockActivations;
    const Wide activationsCheckpointing = Wide(c.numLayers) * tokens * s.d * b + blockActivations;
    const Wide activations = o.gradientCheckpointing ? activationsCheckpointing : activationsNoCheckpointing;
    const Wide logitsBytes = tokens * c.vocabSize * (b + 4 + 4);
    Wide teacherBytes = 0;
    if (in.teacher) {
        const TeacherShape& t = *in.teacher;
        const Wide teacherParams = Wide(t.layers) * (4 * Wide(t.width) * t.width + 3 * Wide(t.width) * t.intermediate)
                                   + 3 * patch * patch * t.width + grid * grid * t.width;
        const Wide imageTokens = Wide(o.batchSize) * in.imagesPerSample * grid * grid;
        teacherBytes = teacherParams * b + imageTokens * (Wide(t.layers) * t.width * 4 + 4 * Wide(t.intermediate) * b)
                       + Wide(t.layers) * imageTokens * (s.d * b + Wide(t.width) * 4 * 2);
    }
    const Wide total = weightsBytes + trainable * 4 * 4 + activations + logitsBytes + teacherBytes;

    MemoryEstimate e;
    e.baseParameters = narrowed(baseParameters, "parameter count");
    e.trainableParameters = narrowed(trainable, "trainable parameter count");
    e.weightsBytes = narrowed(weightsBytes, "weights");
    e.loraBytes = narrowed(trainable * 4, "trainable tensors");
    e.optimizerBytes = narrowed(2 * trainable * 4, "optimizer state");
    e.gradientBytes = narrowed(trainable * 4, "gradients");
    e.activationBytesNoCheckpointing = narrowed(activationsNoCheckpointing, "activations");
    e.activationBytesCheckpointing = narrowed(activationsCheckpointing, "activations");
    e.activationBytes = narrowed(activations, "activations");
    e.logitsBytes = narrowed(logitsBytes, "logits");
    e.teacherBytes = narrowed(teacherBytes, "teacher");
    e.sequenceTokens = narrowed(sequenceTokens, "sequence length");
    e.totalBytes = narrowed(total, "total");
    return e;
}

} // namespace vora::training
