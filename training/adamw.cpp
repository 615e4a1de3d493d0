#include "training/adamw.h"

#include <torch/torch.h>

#include <cmath>

namespace vora::training {

AdamW::AdamW(std::vector<at::Tensor> params, AdamWOptions options) : m_params(std::move(params)), m_options(options)
{
    for (const at::Tensor& p : m_params) {
        m_expAvg.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        m_expAvgSq.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    }
}

void AdamW::step(double lr)
{
    torch::NoGradGuard noGrad;
    ++m_steps;
    const double bias1 = 1.0 - std::pow(m_options.beta1, static_cast<double>(m_steps));
    const double bias2Sqrt = std::sqrt(1.0 - std::pow(m_options.beta2, static_cast<double>(m_steps)));
    const double stepSize = lr / bias1;
    for (size_t i = 0; i < m_params.size(); ++i) {
        at::Tensor& p = m_params[i];
        const at::Tensor grad = p.grad();
        if (!grad.defined()) {
            continue;
        }
        p.mul_(1.0 - lr * m_options.weightDecay);
        m_expAvg[i].lerp_(grad, 1.0 - m_options.beta1);
        m_expAvgSq[i].mul_(m_options.beta2).addcmul_(grad, grad, 1.0 - m_options.beta2);
        const at::Tensor denom = (m_expAvgSq[i].sqrt() / bias2Sqrt).add_(m_options.eps);
        p.addcdiv_(m_expAvg[i], denom, -stepSize);
    }
}

void AdamW::zeroGrad()
{
    for (at::Tensor& p : m_params) {
        if (p.grad().defined()) {
            p.mutable_grad() = at::Tensor();
        }
    }
}

double clipGradNorm(const std::vector<at::Tensor>& params, double maxNorm)
{
    torch::NoGradGuard noGrad;
    std::vector<at::Tensor> norms;
    for (const at::Tensor& p : params) {
        if (p.grad().defined()) {
            norms.push_back(p.grad().norm(2).to(torch::kFloat));
        }
    }
    if (norms.empty()) {
        return 0.0;
    }
    const at::Tensor total = torch::stack(norms).norm(2);
    const at::Tensor coefficient = torch::clamp(maxNorm / (total + 1e-6), c10::nullopt, 1.0);
    for (const at::Tensor& p : params) {
        if (p.grad().defined()) {
            p.grad().mul_(coefficient.to(p.grad().device()));
        }
    }
    return total.item<double>();
}

} // namespace vora::training
