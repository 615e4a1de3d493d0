#include "core/attention/attention_rollout.h"

#include "core/error.h"

#include <torch/torch.h>

namespace vora::core {

at::Tensor withResidual(const at::Tensor& headMean)
{
    require(headMean.dim() == 2 && headMean.size(0) == headMean.size(1), ErrorCode::InvalidArgument,
            "attention rollout: a layer's attention must be a square [L, L] matrix");
    const at::Tensor identity = at::eye(headMean.size(0), headMean.options().dtype(at::kFloat));
    const at::Tensor mixed = headMean.to(at::kFloat) * 0.5 + identity * 0.5;
    // Softmax rows already sum to 1; renormalising keeps the product stochastic under rounding too.
    return mixed / mixed.sum(-1, /*keepdim=*/true);
}

at::Tensor rollOneLayer(const at::Tensor& rolled, const at::Tensor& headMean)
{
    const at::Tensor layer = withResidual(headMean);
    if (!rolled.defined()) {
        return layer;
    }
    require(rolled.sizes() == layer.sizes(), ErrorCode::InvalidArgument,
            "attention rollout: layers of different sequence lengths");
    return at::matmul(layer, rolled);
}

} // namespace vora::core
