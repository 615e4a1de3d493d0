#include "core/attention/image_attention.h"

#include "core/error.h"

#include <torch/torch.h>

#include <cmath>

namespace vora::core {

at::Tensor imageAttentionProbabilities(const at::Tensor& query, const at::Tensor& keys, const std::vector<KeySpan>& spans,
                                       const at::Tensor& rowLogSumExp)
{
    require(query.dim() == 2 && keys.dim() == 3 && query.size(1) == keys.size(2) && query.size(0) % keys.size(0) == 0,
            ErrorCode::InvalidArgument, "attention capture: query [H, Dh] and keys [KvH, Lk, Dh] do not match");
    const int64_t heads = query.size(0);
    const int64_t kvHeads = keys.size(0);
    const double scale = 1.0 / std::sqrt(static_cast<double>(query.size(1)));
    // Group the query heads by the KV head they read: [KvH, groups, Dh], no copy of the keys.
    const at::Tensor grouped = query.to(at::kFloat).reshape({kvHeads, heads / kvHeads, query.size(1)});

    at::Tensor logSumExp = rowLogSumExp;
    if (!logSumExp.defined()) {
        const at::Tensor scores = at::matmul(grouped, keys.to(at::kFloat).transpose(1, 2)) * scale;
        logSumExp = at::logsumexp(scores, -1);
    }
    logSumExp = logSumExp.to(at::kFloat).reshape({kvHeads, heads / kvHeads, 1});

    std::vector<at::Tensor> parts;
    for (const KeySpan& span : spans) {
        require(span.start >= 0 && span.count > 0 && span.start + span.count <= keys.size(1), ErrorCode::InvalidArgument,
                "attention capture: image span outside the " + std::to_string(keys.size(1)) + " cached keys");
        parts.push_back(keys.narrow(1, span.start, span.count));
    }
    if (parts.empty()) {
        return at::empty({heads, 0}, query.options().dtype(at::kFloat));
    }
    const at::Tensor imageKeys = (parts.size() == 1 ? parts[0] : at::cat(parts, 1)).to(at::kFloat);
    // scale * q.k - lse in one batched product, then exp in place: few dispatches per layer and token.
    at::Tensor probabilities = at::baddbmm(logSumExp.neg(), grouped, imageKeys.transpose(1, 2), 1.0, scale);
    return probabilities.exp_().reshape({heads, imageKeys.size(1)}); // [KvH, groups, N] -> [H, N]
}

} // namespace vora::core
