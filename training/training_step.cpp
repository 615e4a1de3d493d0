#include "training/training_step.h"

#include "core/error.h"
#include "training/distillation.h"
#include "training/trainable_model.h"

#include <torch/torch.h>

#include <memory>

namespace vora::training {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Every tensor slot of a block in a fixed order, so a copy of the block can have its trainable
// slots swapped for fresh leaves during recomputation.
std::vector<at::Tensor*> blockSlots(core::DecoderLayer& layer)
{
    std::vector<at::Tensor*> slots = {&layer.input_layernorm.weight, &layer.post_attention_layernorm.weight};
    for (auto& [slot, linear] : layer.linears()) {
        slots.insert(slots.end(), {&linear->weight, &linear->bias, &linear->loraA, &linear->loraB});
    }
    return slots;
}

struct Recompute {
    core::DecoderLayer layer;
    core::LayerContext context;
    core::AttentionMaskSpec mask;
    std::vector<size_t> trainable; // indices into blockSlots
};

// Reentrant-style activation checkpointing of one decoder block (LibTorch has no checkpoint utility).
// Inputs: hidden, an opaque handle to the Recompute record, then the block's trainable tensors.
struct CheckpointedBlock : public torch::autograd::Function<CheckpointedBlock> {
    static variable_list forward(AutogradContext* ctx, const at::Tensor& hidden, int64_t handle, at::TensorList params)
    {
        auto* record = reinterpret_cast<Recompute*>(handle);
        ctx->saved_data["handle"] = handle;
        ctx->save_for_backward({hidden});
        (void)params; // the block already holds these tensors; they are inputs so gradients reach them
        return {record->layer.forward(hidden, record->context)};
    }

    static variable_list backward(AutogradContext* ctx, variable_list gradOutputs)
    {
        auto* record = reinterpret_cast<Recompute*>(ctx->saved_data["handle"].toInt());
        const at::Tensor hidden = ctx->get_saved_variables()[0].detach().requires_grad_(true);
        core::DecoderLayer copy = record->layer;
        std::vector<at::Tensor*> slots = blockSlots(copy);
        variable_list leaves = {hidden};
        for (const size_t index : record->trainable) {
            *slots[index] = slots[index]->detach().requires_grad_(true);
            leaves.push_back(*slots[index]);
        }
        at::Tensor output;
        {
            torch::AutoGradMode enable(true);
            output = copy.forward(hidden, record->context);
        }
        const variable_list grads = torch::autograd::grad({output}, leaves, {gradOutputs[0]}, false, false, true);
        variable_list result = {grads[0], at::Tensor()};
        result.insert(result.end(), grads.begin() + 1, grads.end());
        return result;
    }
};

at::Tensor runBlock(const core::DecoderLayer& layer, const at::Tensor& hidden, const core::LayerContext& context,
                    bool checkpoint, std::vector<std::unique_ptr<Recompute>>& records)
{
    if (!checkpoint || !torch::GradMode::is_enabled()) {
        return layer.forward(hidden, context);
    }
    auto record = std::make_unique<Recompute>();
    record->layer = layer;
    record->mask = *context.mask;
    record->context = context;
    record->context.mask = &record->mask;
    variable_list params;
    std::vector<at::Tensor*> slots = blockSlots(record->layer);
    for (size_t i = 0; i < slots.size(); ++i) {
        if (slots[i]->defined() && slots[i]->requires_grad()) {
            record->trainable.push_back(i);
            params.push_back(*slots[i]);
        }
    }
    const auto handle = reinterpret_cast<int64_t>(record.get());
    records.push_back(std::move(record));
    return CheckpointedBlock::apply(hidden, handle, at::TensorList(params))[0];
}

// Records must outlive backward; they are kept per thread until the next step starts.
thread_local std::vector<std::unique_ptr<Recompute>> t_records;

} // namespace

StepLosses computeLosses(TrainableModel& trainable, const Batch& batch, const Distiller* distiller,
                         bool gradientCheckpointing)
{
    return computeLosses(trainable.model(), batch, distiller, gradientCheckpointing);
}

StepLosses computeLosses(core::VoraModel& model, const Batch& batch, const Distiller* distiller,
                         bool gradientCheckpointing)
{
    t_records.clear();
    const core::DecoderModel& decoder = model.decoder();
    at::Tensor embeddings = decoder.embed(batch.ids);
    if (batch.pixels.defined()) {
        const at::Tensor vision = model.vision()->forward(batch.pixels).to(embeddings.scalar_type());
        embeddings = embeddings.masked_scatter(batch.isImage.unsqueeze(-1), vision);
    }
    const bool distill = distiller && batch.pixels.defined();
    const int heads = distill ? distiller->heads() : 0;
    std::vector<at::Tensor> atImages;
    auto capture = [&](const at::Tensor& hidden) {
        if (static_cast<int>(atImages.size()) < heads) {
            atImages.push_back(hidden.index({batch.isImage}));
        }
    };

    core::LayerContext context;
    context.rope = &decoder.rope;
    context.positionStart = 0;
    context.mask = &batch.mask;
    at::Tensor hidden = embeddings;
    capture(hidden);
    for (const core::DecoderLayer& layer : decoder.layers) {
        hidden = runBlock(layer, hidden, context, gradientCheckpointing, t_records);
        capture(hidden);
    }
    // Only the supervised positions go through the final norm and the vocabulary projection: answers
    // are a few tokens of each sample, and [B, L, V] float logits would dominate a small model's step in
    // time and memory. The mean over the selected rows is cross_entropy's mean with ignore_index.
    const int64_t length = hidden.size(1);
    const at::Tensor shiftedHidden = hidden.narrow(1, 0, length - 1).reshape({-1, hidden.size(2)});
    const at::Tensor shiftedLabels = batch.labels.narrow(1, 1, length - 1).reshape({-1});

    StepLosses losses;
    if (batch.supervised > 0) {
        const at::Tensor rows = shiftedLabels.ne(kIgnoreLabel).nonzero().squeeze(1);
        const at::Tensor logits = decoder.logits(decoder.norm.forward(shiftedHidden.index_select(0, rows)));
        losses.lm = torch::nn::functional::cross_entropy(logits.to(torch::kFloat), shiftedLabels.index_select(0, rows));
    } else {
        losses.lm = hidden.sum() * 0.0; // keeps the graph; nothing supervised in this batch
    }
    losses.total = losses.lm;
    if (distill) {
        losses.aux = distiller->headLosses(atImages, distiller->teacherBlocks(batch.pixels));
        losses.total = losses.lm + torch::stack(losses.aux).mean();
    }
    return losses;
}

} // namespace vora::training
