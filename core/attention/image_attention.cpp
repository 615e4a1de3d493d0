#include "core/attention/image_attention.h"

#include "core/error.h"

#include <torch/torch.h>

#include <cmath>

namespace vora::core {

at::Tensor imageAttentionProbabilitiesOfRows(const at::Tensor& queries, const at::Tensor& keys,
                                             const std::vector<KeySpan>& spans, const at::Tensor& rowLogSumExp)
{
    require(queries.dim() == 3 && keys.dim() == 4 && queries.size(0) == keys.size(0) && queries.size(2) == keys.size(3)
                && keys.size(1) > 0 && queries.size(1) % keys.size(1) == 0,
            ErrorCode::InvalidArgument, "attention capture: queries [R, H, Dh] and keys [R, KvH, Lk, Dh] do not match");
    const int64_t rows = queries.size(0);
    const int64_t heads = queries.size(1);
    const int64_t kvHeads = keys.size(1);
    const int64_t groups = heads / kvHeads;
    const int64_t headDim = queries.size(2);
    const int64_t length = keys.size(2);
    require(!rowLogSumExp.defined() || rowLogSumExp.numel() == rows * heads, ErrorCode::InvalidArgument,
            "attention capture: one log-sum-exp per row and head");
    const double scale = 1.0 / std::sqrt(static_cast<double>(headDim));
    // Rows and KV heads as one batch; each KV head's query heads grouped: [R * KvH, groups, Dh].
    const at::Tensor grouped = queries.to(at::kFloat).reshape({rows * kvHeads, groups, headDim});

    at::Tensor logSumExp = rowLogSumExp;
    if (!logSumExp.defined()) {
        const at::Tensor allKeys = keys.to(at::kFloat).reshape({rows * kvHeads, length, headDim});
        const at::Tensor scores = at::matmul(grouped, allKeys.transpose(1, 2)) * scale;
        logSumExp = at::logsumexp(scores, -1);
    }
    logSumExp = logSumExp.to(at::kFloat).reshape({rows * kvHeads, groups, 1});

    std::vector<at::Tensor> parts;
    for (const KeySpan& span : spans) {
        require(span.start >= 0 && span.count > 0 && span.start + span.count <= length, ErrorCode::InvalidArgument,
                "attention capture: image span outside the " + std::to_string(length) + " cached keys");
        parts.push_back(keys.narrow(2, span.start, span.count));
    }
    if (parts.empty()) {
        return at::empty({rows, heads, 0}, queries.options().dtype(at::kFloat));
    }
    const at::Tensor imageKeys = (parts.size() == 1 ? parts[0] : at::cat(parts, 2)).to(at::kFloat);
    const int64_t patches = imageKeys.size(2);
    // scale * q.k - lse in one batched product, then exp in place: few dispatches per forward pass.
    at::Tensor probabilities = at::baddbmm(logSumExp.neg(), grouped,
                                           imageKeys.reshape({rows * kvHeads, patches, headDim}).transpose(1, 2), 1.0, scale);
    return probabilities.exp_().reshape({rows, heads, patches}); // [R * KvH, groups, N] -> [R, H, N]
}

at::Tensor imageAttentionProbabilities(const at::Tensor& query, const at::Tensor& keys, const std::vector<KeySpan>& spans,
                                       const at::Tensor& rowLogSumExp)
{
    require(query.dim() == 2 && keys.dim() == 3 && query.size(1) == keys.size(2) && query.size(0) % keys.size(0) == 0,
            ErrorCode::InvalidArgument, "attention capture: query [H, Dh] and keys [KvH, Lk, Dh] do not match");
    return imageAttentionProbabilitiesOfRows(query.unsqueeze(0), keys.unsqueeze(0), spans,
                                             rowLogSumExp.defined() ? rowLogSumExp.reshape({1, -1}) : rowLogSumExp)[0];
}

} // namespace vora::core
