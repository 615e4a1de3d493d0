#include "core/model/rotary_embedding.h"

#include "core/error.h"

#include <torch/torch.h>

#include <cmath>
#include <numbers>

namespace vora::core {
namespace {

// Mirrors transformers' _compute_llama3_parameters.
at::Tensor llama3Frequencies(const at::Tensor& invFreq, const RopeScaling& s)
{
    const double lowWavelen = static_cast<double>(s.originalMaxPositions) / s.lowFreqFactor;
    const double highWavelen = static_cast<double>(s.originalMaxPositions) / s.highFreqFactor;
    const at::Tensor wavelen = 2.0 * std::numbers::pi / invFreq;
    at::Tensor scaled = at::where(wavelen > lowWavelen, invFreq / s.factor, invFreq);
    const at::Tensor smooth = (static_cast<double>(s.originalMaxPositions) / wavelen - s.lowFreqFactor)
        / (s.highFreqFactor - s.lowFreqFactor);
    const at::Tensor smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled;
    const at::Tensor isMedium = (wavelen >= highWavelen) & (wavelen <= lowWavelen);
    return at::where(isMedium, smoothed, scaled);
}

at::Tensor rotateHalf(const at::Tensor& x)
{
    const int64_t half = x.size(-1) / 2;
    return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

} // namespace

RotaryEmbedding::RotaryEmbedding(const ModelConfig& config, int64_t maxPositions, c10::Device device)
    : m_maxPositions(maxPositions)
{
    const int64_t dim = config.headDim;
    const auto f32 = at::TensorOptions().dtype(at::kFloat);
    const at::Tensor exponents = at::arange(0, dim, 2, at::TensorOptions().dtype(at::kLong)).to(at::kFloat) / static_cast<double>(dim);
    at::Tensor invFreq = 1.0 / at::pow(config.ropeTheta, exponents);
    if (config.ropeScaling.type == "linear") {
        invFreq = invFreq / config.ropeScaling.factor;
    } else if (config.ropeScaling.type == "llama3") {
        invFreq = llama3Frequencies(invFreq, config.ropeScaling);
    }
    const at::Tensor positions = at::arange(maxPositions, f32);
    const at::Tensor freqs = at::outer(positions, invFreq);
    const at::Tensor emb = at::cat({freqs, freqs}, -1);
    m_cos = emb.cos().to(device);
    m_sin = emb.sin().to(device);
}

void RotaryEmbedding::castTables(c10::ScalarType dtype)
{
    m_cosCast = m_cos.to(dtype);
    m_sinCast = m_sin.to(dtype);
}

std::pair<at::Tensor, at::Tensor> RotaryEmbedding::rows(int64_t start, int64_t length, c10::ScalarType dtype) const
{
    require(start >= 0 && start + length <= m_maxPositions, ErrorCode::InvalidArgument,
            "sequence of " + std::to_string(start + length) + " positions exceeds the context of "
                + std::to_string(m_maxPositions));
    if (m_cosCast.defined() && m_cosCast.scalar_type() == dtype) {
        return {m_cosCast.narrow(0, start, length), m_sinCast.narrow(0, start, length)};
    }
    return {m_cos.narrow(0, start, length).to(dtype), m_sin.narrow(0, start, length).to(dtype)};
}

at::Tensor RotaryEmbedding::applyToHeads(const at::Tensor& x, int64_t start) const
{
    const auto [cosRows, sinRows] = rows(start, x.size(1), x.scalar_type());
    const at::Tensor cos = cosRows.unsqueeze(0).unsqueeze(2); // [1, L, 1, Dh]
    const at::Tensor sin = sinRows.unsqueeze(0).unsqueeze(2);
    return x * cos + rotateHalf(x) * sin;
}

std::pair<at::Tensor, at::Tensor> RotaryEmbedding::apply(const at::Tensor& q, const at::Tensor& k, int64_t start) const
{
    const auto [cosRows, sinRows] = rows(start, q.size(2), q.scalar_type());
    const at::Tensor cos = cosRows.unsqueeze(0).unsqueeze(0); // [1, 1, L, Dh]
    const at::Tensor sin = sinRows.unsqueeze(0).unsqueeze(0);
    return {q * cos + rotateHalf(q) * sin, k * cos + rotateHalf(k) * sin};
}

} // namespace vora::core
