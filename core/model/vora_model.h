#pragma once
// A loaded VoRA model (or a plain Qwen2/LLaMA LLM): the decoder, the vision embedding when the
// checkpoint has one, and where they live. Loading validates config.json against every tensor,
// reports missing and unexpected weights, merges unmerged LoRA in float32 (or keeps it unmerged),
// and refuses to start when the weights cannot fit on the device.
#include "core/model/decoder_model.h"
#include "core/model/model_config.h"
#include "core/model/vision_embedding.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace vora::core {

struct ModelLoadOptions {
    std::string device = "cpu";   // "cpu", "cuda", "cuda:N"
    std::string dtype = "auto";   // "auto" (float32 on CPU, bfloat16 on CUDA), "float32", "bfloat16", "float16"
    bool mergeLora = true;        // false: run lora_A/lora_B unmerged
    double loraScale = 1.0;       // VoRA's adapters use 1.0 (no alpha/r)
    int64_t maxContext = 0;       // 0: ModelConfig::defaultContext()
    std::function<void(double fraction, const std::string& stage)> progress;
};

struct LoadReport {
    int64_t parameterCount = 0;
    int64_t weightBytes = 0;
    int loraLayersMerged = 0;
    int loraLayersUnmerged = 0;
    std::vector<std::string> ignoredTensors; // aux_vision.* and friends
    double loadSeconds = 0;
};

class VoraModel {
public:
    // Throws Error with the offending file/tensor/field in the message.
    static std::unique_ptr<VoraModel> load(const std::string& modelDir, const ModelLoadOptions& options = {});

    const ModelConfig& config() const { return m_decoder.config; }
    const DecoderModel& decoder() const { return m_decoder; }
    DecoderModel& decoder() { return m_decoder; }
    const std::optional<VisionEmbedding>& vision() const { return m_vision; }
    std::optional<VisionEmbedding>& vision() { return m_vision; }
    c10::Device device() const { return m_device; }
    c10::ScalarType dtype() const { return m_dtype; }
    const LoadReport& report() const { return m_report; }
    const std::string& directory() const { return m_directory; }
    int64_t maxContext() const { return m_decoder.rope.maxPositions(); }

private:
    VoraModel(c10::Device device, c10::ScalarType dtype) : m_device(device), m_dtype(dtype) {}

    DecoderModel m_decoder;
    std::optional<VisionEmbedding> m_vision;
    c10::Device m_device;
    c10::ScalarType m_dtype;
    LoadReport m_report;
    std::string m_directory;
};

// Parses "cpu" / "cuda" / "cuda:N"; throws Error(DeviceUnavailable) when CUDA is asked for and absent
// or the index does not exist.
c10::Device parseDevice(const std::string& text);
// Parses "auto" / "float32" / "bfloat16" / "float16" for device.
c10::ScalarType parseDtype(const std::string& text, c10::Device device);
std::string dtypeDisplayName(c10::ScalarType dtype);

} // namespace vora::core
