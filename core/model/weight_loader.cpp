#include "core/model/weight_loader.h"

#include "core/error.h"
#include "core/model/parameter_names.h"

#include <torch/torch.h>


namespace vora::core {
namespace {

c10::ScalarType scalarTypeOf(DType dtype, const std::string& name)
{
    switch (dtype) {
    case DType::F64: return at::kDouble;
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::Bool: return at::kBool;
    }
    throw Error(ErrorCode::UnsupportedFormat, "tensor " + name + ": unsupported dtype");
}

} // namespace

at::Tensor readTensor(const TensorLocation& location, c10::Device device, c10::ScalarType dtype)
{
    const TensorInfo& info = *location.info;
    const auto stored = scalarTypeOf(info.dtype, info.name);
    // The mapping is read-only: from_blob aliases it, so always make a copy before anyone writes.
    auto* data = const_cast<uint8_t*>(location.file->data(info));
    const at::Tensor view = at::from_blob(data, info.shape, at::TensorOptions().dtype(stored));
    return view.to(at::TensorOptions().device(device).dtype(dtype), /*non_blocking=*/false, /*copy=*/true);
}

WeightLoader::WeightLoader(const CheckpointFiles& checkpoint, c10::Device device, c10::ScalarType dtype)
    : m_checkpoint(checkpoint)
    , m_device(device)
    , m_dtype(dtype)
{
}

std::string WeightLoader::storedName(const std::string& name) const
{
    if (m_checkpoint.contains(name)) {
        return name;
    }
    const std::string plain = param::plainLlmName(name);
    return !plain.empty() && m_checkpoint.contains(plain) ? plain : std::string();
}

bool WeightLoader::has(const std::string& name) const { return !storedName(name).empty(); }

at::Tensor WeightLoader::take(const std::string& name, const std::vector<int64_t>& shape)
{
    return take(name, shape, m_dtype);
}

at::Tensor WeightLoader::take(const std::string& name, const std::vector<int64_t>& shape, c10::ScalarType dtype)
{
    const std::string stored = storedName(name);
    require(!stored.empty(), ErrorCode::MissingWeights, "checkpoint has no weight " + name);
    const TensorLocation& location = *m_checkpoint.find(stored);
    require(location.info->shape == shape, ErrorCode::ShapeMismatch,
            location.file->path() + ": " + stored + " has shape " + formatShape(location.info->shape) + ", config.json implies "
                + formatShape(shape));
    m_used.insert(stored);
    m_loadedElements += location.info->elementCount();
    return readTensor(location, m_device, dtype);
}

std::optional<at::Tensor> WeightLoader::takeOptional(const std::string& name, const std::vector<int64_t>& shape)
{
    if (!has(name)) {
        return std::nullopt;
    }
    return take(name, shape);
}

std::vector<int64_t> WeightLoader::storedShape(const std::string& name) const
{
    const std::string stored = storedName(name);
    require(!stored.empty(), ErrorCode::MissingWeights, "checkpoint has no weight " + name);
    return m_checkpoint.find(stored)->info->shape;
}

std::vector<std::string> WeightLoader::unusedNames() const
{
    std::vector<std::string> unused;
    for (const std::string& name : m_checkpoint.names()) {
        if (!m_used.count(name) && !param::isTeacherName(name)) {
            unused.push_back(name);
        }
    }
    return unused;
}

} // namespace vora::core
