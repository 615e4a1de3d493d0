#include "training/merge_plan.h"

#include "core/error.h"
#include "core/model/parameter_names.h"
#include "core/model/weight_loader.h"

#include <torch/torch.h>

namespace vora::training {
namespace param = core::param;

MergePlan planMerge(const core::CheckpointFiles& base, const std::map<std::string, at::Tensor>& trainable)
{
    std::map<std::string, PlannedTensor> planned;
    for (const std::string& name : base.names()) {
        if (param::isTeacherName(name) || param::isIgnorableBuffer(name)) {
            continue;
        }
        const core::TensorLocation* location = base.find(name);
        PlannedTensor& t = planned[param::officialName(name)];
        t.name = param::officialName(name);
        t.shape = location->info->shape;
        t.base = location;
    }
    std::map<std::string, const at::Tensor*> loras;
    for (const auto& [name, tensor] : trainable) {
        if (param::isTeacherName(name)) {
            continue;
        }
        if (param::isLoraA(name) || param::isLoraB(name)) {
            loras[name] = &tensor;
            continue;
        }
        const std::vector<int64_t> shape(tensor.sizes().begin(), tensor.sizes().end());
        const auto replaced = planned.find(name);
        core::require(replaced == planned.end() || replaced->second.shape == shape, core::ErrorCode::ShapeMismatch,
                      name + ": the checkpoint's tensor has another shape than the base's (trained on another base?)");
        PlannedTensor& t = planned[name];
        t.name = name;
        t.shape = shape;
        t.base = nullptr;
        t.replacement = &tensor;
    }
    MergePlan plan;
    for (const auto& [name, a] : loras) {
        if (!param::isLoraA(name)) {
            continue;
        }
        const std::string module = param::moduleOfLora(name);
        const auto b = loras.find(param::loraBOf(module));
        const auto w = planned.find(param::weightOf(module));
        core::require(b != loras.end() && w != planned.end(), core::ErrorCode::MissingWeights,
                      module + ": a LoRA pair needs lora_B and the base weight");
        const at::Tensor& bt = *b->second;
        const std::vector<int64_t>& ws = w->second.shape;
        core::require(a->dim() == 2 && bt.dim() == 2 && ws.size() == 2 && bt.size(1) == a->size(0) &&
                          bt.size(0) == ws[0] && a->size(1) == ws[1],
                      core::ErrorCode::ShapeMismatch,
                      module + ": the LoRA pair does not fit the base weight (trained on another base?)");
        w->second.loraA = a;
        w->second.loraB = b->second;
        ++plan.mergedLinears;
    }
    for (const auto& [name, b] : loras) {
        core::require(!param::isLoraB(name) || loras.count(param::loraAOf(param::moduleOfLora(name))) > 0,
                      core::ErrorCode::MissingWeights, param::moduleOfLora(name) + ": lora_B without lora_A");
    }
    plan.tensors.reserve(planned.size());
    for (auto& [name, t] : planned) {
        plan.tensors.push_back(std::move(t));
    }
    return plan;
}

at::Tensor materializeMergedTensor(const PlannedTensor& planned, double scale)
{
    at::Tensor value = planned.replacement != nullptr
                           ? planned.replacement->to(torch::kCPU, torch::kFloat)
                           : core::readTensor(*planned.base, c10::Device(c10::kCPU), at::kFloat);
    if (planned.loraA == nullptr) {
        return value;
    }
    const at::Tensor a = planned.loraA->to(torch::kCPU, torch::kFloat);
    const at::Tensor b = planned.loraB->to(torch::kCPU, torch::kFloat);
    at::Tensor merged = value + torch::matmul(b, a) * scale;
    core::require(torch::isfinite(merged).all().item<bool>(), core::ErrorCode::Internal,
                  planned.name + ": merging produced non-finite weights");
    return merged;
}

} // namespace vora::training
