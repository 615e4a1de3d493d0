#pragma once
// Reads reference tensors (written by tests/reference/*.py) for core tests.
#include "core/error.h"
#include "core/model/weight_loader.h"
#include "core/safetensors/safetensors_file.h"

#include <torch/torch.h>

#include <string>
#include <vector>

inline at::Tensor fixtureTensor(const vora::core::SafetensorsFile& file, const std::string& name)
{
    const auto& info = file.info(name);
    const vora::core::TensorLocation location{&file, &info};
    const auto type = info.dtype == vora::core::DType::I64 ? at::kLong
        : info.dtype == vora::core::DType::U8              ? at::kByte
                                                            : at::kFloat;
    return vora::core::readTensor(location, c10::Device(c10::kCPU), type);
}

inline std::vector<int64_t> fixtureIds(const vora::core::SafetensorsFile& file, const std::string& name)
{
    const at::Tensor t = fixtureTensor(file, name).contiguous();
    return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}

inline std::string tinyModelDir(const std::string& variant)
{
    return std::string(VORA_TEST_DATA_DIR) + "/tiny_models/" + variant;
}

// QVERIFY_THROWS_EXCEPTION does not expand inside files that include torch (macro clash), hence this.
template <typename Work>
bool throwsCoreError(Work&& work, vora::core::ErrorCode* code = nullptr)
{
    try {
        work();
    } catch (const vora::core::Error& error) {
        if (code) {
            *code = error.code();
        }
        return true;
    }
    return false;
}
