#pragma once
// A VoRA model prepared for training: the base loaded through core::VoraModel, LoRA injected into the
// first N blocks (or the base's unmerged LoRA kept), a fresh vision embedding when the base is a plain
// LLM, and the list of trainable tensors under their official checkpoint names. Trainable tensors are
// float32 masters; materialize() casts them into the model's compute dtype (a differentiable cast, so
// gradients land on the masters) before every forward.
#include "core/model/vora_model.h"
#include "training/train_options.h"

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vora::training {

struct TrainableParam {
    std::string name;  // official key (core/model/parameter_names.h)
    at::Tensor master; // float32, requires grad
    at::Tensor* slot = nullptr; // where the compute copy lives in the model (null: master used as is)
};

class TrainableModel {
public:
    // Throws core::Error on unreadable bases or impossible options. Random init uses torch's default
    // generator: seed it before calling for reproducible runs.
    static std::unique_ptr<TrainableModel> create(const TrainOptions& options);

    core::VoraModel& model() { return *m_model; }
    const core::VoraModel& model() const { return *m_model; }
    std::vector<TrainableParam>& params() { return m_params; }
    const std::vector<TrainableParam>& params() const { return m_params; }
    // Adds an externally created parameter (distillation heads); slot may be null.
    void addParam(TrainableParam param) { m_params.push_back(std::move(param)); }
    void materialize();
    // Copies tensors with matching names into the masters, after checking all of them: throws
    // InvalidConfig (a name this run does not train), ShapeMismatch, CorruptFile (not a float tensor), or
    // MissingWeights when requireAll and a trainable tensor is absent; messages start with source (the file).
    void loadState(const std::map<std::string, at::Tensor>& tensors, bool requireAll, const std::string& source);
    std::map<std::string, at::Tensor> stateDict() const; // name -> master (float32, detached)
    int64_t trainableElements() const;
    double loraScale() const { return m_loraScale; }
    bool freshVision() const { return m_freshVision; }

private:
    std::unique_ptr<core::VoraModel> m_model;
    std::vector<TrainableParam> m_params;
    double m_loraScale = 1.0;
    bool m_freshVision = false;
};

} // namespace vora::training
