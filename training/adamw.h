#pragma once
// AdamW with the exact update of torch.optim.AdamW (single-tensor path), state kept in plain tensors
// so checkpoints can store and restore it bit for bit.
#include <ATen/core/Tensor.h>

#include <vector>

namespace vora::training {

struct AdamWOptions {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weightDecay = 0.0;
};

class AdamW {
public:
    AdamW(std::vector<at::Tensor> params, AdamWOptions options);

    // One update with learning rate lr; params without a gradient are skipped (their step still counts).
    void step(double lr);
    void zeroGrad();
    int64_t steps() const { return m_steps; }
    void setSteps(int64_t steps) { m_steps = steps; }
    std::vector<at::Tensor>& expAvg() { return m_expAvg; }
    std::vector<at::Tensor>& expAvgSq() { return m_expAvgSq; }

private:
    std::vector<at::Tensor> m_params;
    AdamWOptions m_options;
    std::vector<at::Tensor> m_expAvg;
    std::vector<at::Tensor> m_expAvgSq;
    int64_t m_steps = 0;
};

// torch.nn.utils.clip_grad_norm_ (L2, error_if_nonfinite false): returns the total norm before clipping.
double clipGradNorm(const std::vector<at::Tensor>& params, double maxNorm);

} // namespace vora::training
