#include "core/model/attention.h"

#include "core/error.h"
#include "core/model/attention_observer.h"

#include <torch/torch.h>

#include <cmath>
#include <tuple>

namespace vora::core {
namespace {

// [B, KvH, L, Dh] -> [B, KvH * groups, L, Dh], head h reading kv head h / groups (HF repeat_kv).
at::Tensor repeatKv(const at::Tensor& x, int64_t groups)
{
    if (groups == 1) {
        return x;
    }
    const auto s = x.sizes();
    return x.unsqueeze(2).expand({s[0], s[1], groups, s[2], s[3]}).reshape({s[0], s[1] * groups, s[2], s[3]});
}

int64_t groupsOf(const at::Tensor& q, const at::Tensor& k) { return q.size(1) / k.size(1); }

// Every row sees every key. Each KV head's query group is folded into extra rows, so the keys are read
// once and never copied ([B, KvH, groups * Lq, Dh] queries over [B, KvH, Lk, Dh] keys).
at::Tensor attendAll(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
    const int64_t groups = groupsOf(q, k);
    if (groups == 1) {
        return at::scaled_dot_product_attention(q, k, v);
    }
    const auto s = q.sizes();
    const at::Tensor folded = q.reshape({s[0], k.size(1), groups * s[2], s[3]});
    return at::scaled_dot_product_attention(folded, k, v).reshape(s);
}

// Lq == Lk: top-left and bottom-right causal coincide, so SDPA's is_causal applies.
at::Tensor attendSquareCausal(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
    const int64_t groups = groupsOf(q, k);
    return at::scaled_dot_product_attention(q, repeatKv(k, groups), repeatKv(v, groups), {}, 0.0, /*is_causal=*/true);
}

// Output and natural-log-sum-exp ([B, H, Lq] float32) of plain (non-causal) or square-causal attention.
std::pair<at::Tensor, at::Tensor> attendWithLse(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, bool causal)
{
    const int64_t groups = groupsOf(q, k);
    const at::Tensor keys = repeatKv(k, groups);
    const at::Tensor values = repeatKv(v, groups);
    if (q.is_cuda()) {
        // Memory-efficient attention pads its log-sum-exp rows to a multiple of 32.
        auto [out, lse, seed, offset] = at::_scaled_dot_product_efficient_attention(q, keys, values, std::nullopt,
                                                                                    /*compute_log_sumexp=*/true, 0.0, causal);
        return {out, lse.narrow(2, 0, q.size(2))};
    }
    auto [out, lse] = at::_scaled_dot_product_flash_attention_for_cpu(q, keys, values, 0.0, causal);
    return {out, lse};
}

bool flashKernelFits(const at::Tensor& q)
{
    const auto type = q.scalar_type();
    return q.is_cuda() && (type == at::kBFloat16 || type == at::kHalf) && q.size(-1) % 8 == 0 && q.size(-1) <= 256;
}

// Causal rows that also see keys before their own block (Lq < Lk), aligned bottom-right. SDPA's is_causal
// is top-left for Lq != Lk, so: the flash kernel itself (bottom-right, grouped heads natively) where it
// runs; elsewhere the keys split into the prefix every row sees whole and the square causal block, the two
// partial results merged by their log-sum-exp (the flash-decoding combine).
at::Tensor attendBottomRightCausal(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v)
{
    if (flashKernelFits(q)) {
        return std::get<0>(at::_scaled_dot_product_flash_attention(q, k, v, 0.0, /*is_causal=*/true));
    }
    const int64_t lq = q.size(2);
    const int64_t prefix = k.size(2) - lq;
    auto [before, lseBefore] = attendWithLse(q, k.narrow(2, 0, prefix), v.narrow(2, 0, prefix), false);
    auto [block, lseBlock] = attendWithLse(q, k.narrow(2, prefix, lq), v.narrow(2, prefix, lq), true);
    const at::Tensor lse = at::logaddexp(lseBefore, lseBlock);
    const at::Tensor weightBefore = (lseBefore - lse).exp().unsqueeze(-1);
    const at::Tensor weightBlock = (lseBlock - lse).exp().unsqueeze(-1);
    return (before.to(at::kFloat) * weightBefore + block.to(at::kFloat) * weightBlock).to(q.scalar_type());
}

at::Tensor attendSegment(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const AttentionSegment& segment)
{
    const at::Tensor rows = q.narrow(2, segment.queryStart, segment.length);
    const at::Tensor keys = k.narrow(2, 0, segment.keyEnd);
    const at::Tensor values = v.narrow(2, 0, segment.keyEnd);
    if (!segment.causal || segment.length == 1) {
        return attendAll(rows, keys, values);
    }
    if (segment.length == segment.keyEnd) {
        return attendSquareCausal(rows, keys, values);
    }
    return attendBottomRightCausal(rows, keys, values);
}

// The segments' outputs gathered into one [B, H, Lq, Dh] view whose memory is [B, Lq, H, Dh]: the layout
// the output projection reads, so the caller's transpose(1, 2).reshape(...) copies nothing (gathering with
// at::cat and then reshaping copied the chunk's outputs twice).
at::Tensor attendSegments(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                          const std::vector<AttentionSegment>& segments)
{
    if (segments.size() == 1) {
        return attendSegment(q, k, v, segments.front());
    }
    at::Tensor out = at::empty({q.size(0), q.size(2), q.size(1), q.size(3)}, q.options()).transpose(1, 2);
    int64_t covered = 0;
    for (const AttentionSegment& segment : segments) {
        require(segment.queryStart == covered, ErrorCode::Internal, "attention segments must cover the chunk in order");
        out.narrow(2, segment.queryStart, segment.length).copy_(attendSegment(q, k, v, segment));
        covered += segment.length;
    }
    require(covered == q.size(2), ErrorCode::Internal, "attention segments must cover the chunk in order");
    return out;
}

at::Tensor attendExplicit(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const AttentionMaskSpec& mask,
                          int layer, int64_t queryStart, AttentionObserver* observer)
{
    const int64_t groups = groupsOf(q, k);
    const at::Tensor keys = repeatKv(k, groups);
    const at::Tensor values = repeatKv(v, groups);
    at::Tensor scores = at::matmul(q, keys.transpose(2, 3)) * (1.0 / std::sqrt(static_cast<double>(q.size(-1))));
    at::Tensor allowed = mask.mask;
    if (!allowed.defined() && (!mask.segments.empty() || (mask.causal && q.size(2) > 1))) {
        allowed = allowedMatrixOf(mask, q.size(2), k.size(2), q.device());
    }
    if (allowed.defined()) {
        scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
    }
    const at::Tensor probabilities = at::softmax(scores, -1, at::kFloat);
    if (observer && observer->wantsLayer(layer)) {
        observer->onAttention(layer, probabilities, queryStart);
    }
    return at::matmul(probabilities.to(q.scalar_type()), values);
}

// One observed decode row, folded as in attendAll. On the CPU, scaled_dot_product_attention runs this very
// kernel (same output bits); called directly it also returns the row log-sum-exp it computes anyway
// ([B, KvH, groups] = [B, H] in head order), so the capture needs no second pass over the keys.
at::Tensor attendObservedRow(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int layer, int64_t queryStart,
                             AttentionObserver& observer)
{
    const auto s = q.sizes();
    const at::Tensor folded = q.reshape({s[0], k.size(1), groupsOf(q, k), s[3]});
    at::Tensor out;
    at::Tensor logSumExp;
    if (q.device().is_cpu()) {
        std::tie(out, logSumExp) = at::_scaled_dot_product_flash_attention_for_cpu(folded, k, v);
        logSumExp = logSumExp[0].reshape({s[1]});
    } else {
        out = at::scaled_dot_product_attention(folded, k, v);
    }
    observer.onQueryRow(layer, q[0].select(1, 0), k[0], logSumExp, queryStart);
    return out.reshape(s);
}

at::Tensor attendFused(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const AttentionMaskSpec& mask,
                       int layer, int64_t queryStart, AttentionObserver* observer)
{
    const int64_t lq = q.size(2);
    if (observer) {
        if (lq == 1 && !mask.mask.defined()) {
            return attendObservedRow(q, k, v, layer, queryStart, *observer);
        }
        // The chunk's last row sees every key under the VoRA pattern (nothing lies after it), so the capture
        // can compute its log-sum-exp from all keys.
        observer->onQueryRow(layer, q[0].select(1, lq - 1), k[0], at::Tensor(), queryStart + lq - 1);
    }
    if (!mask.segments.empty()) {
        return attendSegments(q, k, v, mask.segments);
    }
    if (mask.mask.defined()) {
        const int64_t groups = groupsOf(q, k);
        return at::scaled_dot_product_attention(q, repeatKv(k, groups), repeatKv(v, groups), mask.mask);
    }
    if (!mask.causal || q.size(2) == 1) {
        return attendAll(q, k, v);
    }
    return attendSegment(q, k, v, {0, q.size(2), k.size(2), true});
}

} // namespace

at::Tensor allowedMatrixOf(const AttentionMaskSpec& mask, int64_t lq, int64_t lk, c10::Device device)
{
    const auto options = at::TensorOptions().dtype(at::kBool).device(device);
    if (mask.mask.defined()) {
        return mask.mask.reshape({lq, lk}).to(device);
    }
    if (mask.segments.empty()) {
        return mask.causal ? at::ones({lq, lk}, options).tril(lk - lq) : at::ones({lq, lk}, options);
    }
    at::Tensor allowed = at::zeros({lq, lk}, options);
    for (const AttentionSegment& s : mask.segments) {
        require(s.queryStart >= 0 && s.queryStart + s.length <= lq && s.keyEnd <= lk && s.length <= s.keyEnd,
                ErrorCode::Internal, "attention segment outside the chunk");
        at::Tensor block = allowed.narrow(0, s.queryStart, s.length).narrow(1, 0, s.keyEnd);
        if (s.causal) {
            block.copy_(at::ones({s.length, s.keyEnd}, options).tril(s.keyEnd - s.length));
        } else {
            block.fill_(true);
        }
    }
    return allowed;
}

at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const AttentionMaskSpec& mask,
                  AttentionImpl impl, int layer, int64_t queryStart, AttentionObserver* observer)
{
    AttentionObserver* observed = observer && observer->wantsLayer(layer) ? observer : nullptr;
    if (impl == AttentionImpl::Explicit) {
        return attendExplicit(q, k, v, mask, layer, queryStart, observed);
    }
    return attendFused(q, k, v, mask, layer, queryStart, observed);
}

} // namespace vora::core
