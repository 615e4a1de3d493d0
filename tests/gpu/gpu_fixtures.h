#pragma once
// Shared pieces of the GPU tests: the tiny checkpoints' committed expectations (tests/reference/
// make_tiny_vora.py, HF transformers in float32 on the CPU), CUDA loading with TF32 off, comparisons.
#include "core/generation/prompt_input.h"
#include "core/model/vora_model.h"
#include "tensor_fixtures.h"

#include <ATen/Context.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace gpu_fixtures {

inline const std::vector<std::string>& variants()
{
    static const std::vector<std::string> names = {"qwen2_vora_merged", "qwen2_vora_unmerged", "llama_vora_tied",
                                                   "qwen2_text", "llama_text"};
    return names;
}

// Expected-output files of a variant, sorted by name.
inline std::vector<std::string> casesOf(const std::string& variant)
{
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(tinyModelDir(variant) + "/expected")) {
        paths.push_back(entry.path().string());
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

inline vora::core::PromptInput promptOf(const vora::core::SafetensorsFile& expected)
{
    vora::core::PromptInput prompt;
    prompt.ids = fixtureIds(expected, "input_ids");
    for (int i = 0; expected.contains("pixel_values_" + std::to_string(i)); ++i) {
        const at::Tensor pixels = fixtureTensor(expected, "pixel_values_" + std::to_string(i)).contiguous();
        vora::core::ImagePixels image;
        image.height = static_cast<int>(pixels.size(2));
        image.width = static_cast<int>(pixels.size(3));
        image.chw.assign(pixels.data_ptr<float>(), pixels.data_ptr<float>() + pixels.numel());
        prompt.images.push_back(std::move(image));
    }
    return prompt;
}

// Float32 on CUDA means float32: no TF32 in cuBLAS or cuDNN (the vision embedding is a convolution).
inline void float32MeansFloat32()
{
    at::globalContext().setAllowTF32CuBLAS(false);
    at::globalContext().setAllowTF32CuDNN(false);
}

// Loaded on cuda:0 with the inference layout the engine uses (stacked projections, cast RoPE tables).
inline std::unique_ptr<vora::core::VoraModel> loadOnCuda(const std::string& variant, const std::string& dtype)
{
    vora::core::ModelLoadOptions options;
    options.device = "cuda";
    options.dtype = dtype;
    auto model = vora::core::VoraModel::load(tinyModelDir(variant), options);
    model->decoder().fuseForInference();
    return model;
}

inline double maxAbsDiff(const at::Tensor& a, const at::Tensor& b)
{
    return (a.to(at::kDouble).cpu() - b.to(at::kDouble).cpu()).abs().max().item<double>();
}

} // namespace gpu_fixtures
