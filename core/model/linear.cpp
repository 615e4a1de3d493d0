#include "core/model/linear.h"

#include "core/error.h"

#include <torch/torch.h>

namespace vora::core {

at::Tensor linearForward(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias)
{
    const int64_t in = weight.size(1);
    if (x.device().is_cpu() && x.numel() == in && x.scalar_type() == at::kFloat && weight.scalar_type() == at::kFloat) {
        std::vector<int64_t> shape = x.sizes().vec();
        shape.back() = weight.size(0);
        at::Tensor y = at::mv(weight, x.reshape({in}));
        if (bias.defined()) {
            y.add_(bias);
        }
        return y.view(shape);
    }
    return at::linear(x, weight, bias);
}

at::Tensor Linear::forward(const at::Tensor& x) const
{
    at::Tensor y = linearForward(x, weight, bias);
    if (hasLora()) {
        at::Tensor update = at::linear(at::linear(x, loraA), loraB);
        y = loraScale == 1.0 ? y + update : y + update * loraScale;
    }
    return y;
}

void Linear::mergeLora()
{
    if (!hasLora()) {
        return;
    }
    const at::Tensor delta = at::matmul(loraB.to(at::kFloat), loraA.to(at::kFloat)) * loraScale;
    const at::Tensor merged = weight.to(at::kFloat) + delta;
    require(at::isfinite(merged).all().item<bool>(), ErrorCode::Internal,
            "merging a LoRA adapter produced non-finite weights");
    weight = merged.to(weight.scalar_type());
    loraA = at::Tensor();
    loraB = at::Tensor();
}

} // namespace vora::core
