#pragma once
// Hands out a checkpoint's tensors by their official names (core/model/parameter_names.h), converted
// to the target device and dtype, and keeps track of which were used so that missing and unexpected
// weights are reported. VoRA checkpoints store the LLM under "llm." (llm.model.*, llm.lm_head.*); plain
// Qwen2/LLaMA checkpoints do not; both resolve here through the registry's prefix rule. aux_vision.*
// (the distillation teacher) is ignored.
#include "core/safetensors/checkpoint_files.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vora::core {

class WeightLoader {
public:
    // checkpoint must outlive the loader.
    WeightLoader(const CheckpointFiles& checkpoint, c10::Device device, c10::ScalarType dtype);

    bool has(const std::string& name) const;
    // Throws Error(MissingWeights) when absent, Error(ShapeMismatch) when the shape differs.
    at::Tensor take(const std::string& name, const std::vector<int64_t>& shape);
    at::Tensor take(const std::string& name, const std::vector<int64_t>& shape, c10::ScalarType dtype);
    std::optional<at::Tensor> takeOptional(const std::string& name, const std::vector<int64_t>& shape);
    // The stored shape of an official name; throws Error(MissingWeights) when absent.
    std::vector<int64_t> storedShape(const std::string& name) const;
    int64_t loadedElements() const { return m_loadedElements; }
    // Names present in the checkpoint that no module took (aux_vision.* excluded).
    std::vector<std::string> unusedNames() const;
    // The stored name an official name resolves to ("" when absent).
    std::string storedName(const std::string& name) const;

private:
    const CheckpointFiles& m_checkpoint;
    c10::Device m_device;
    c10::ScalarType m_dtype;
    std::set<std::string> m_used;
    int64_t m_loadedElements = 0;
};

// Reads one stored tensor into a new tensor on device/dtype (never aliasing the file mapping).
at::Tensor readTensor(const TensorLocation& location, c10::Device device, c10::ScalarType dtype);

} // namespace vora::core
