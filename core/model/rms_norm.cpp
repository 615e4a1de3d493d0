#include "core/model/rms_norm.h"

#include <torch/torch.h>

namespace vora::core {

at::Tensor RmsNorm::forward(const at::Tensor& x) const
{
    const at::Tensor x32 = x.to(at::kFloat);
    const at::Tensor variance = x32.pow(2).mean(-1, /*keepdim=*/true);
    const at::Tensor normed = x32 * at::rsqrt(variance + eps);
    return weight * normed.to(x.scalar_type());
}

} // namespace vora::core
