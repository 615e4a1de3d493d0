#pragma once
// Decode-time attention capture: the attention probabilities one query row gives each image patch,
// computed from the cached image keys alone, normalised by the log-sum-exp of the WHOLE row (all
// visible keys), so the values are exactly the model's softmax entries, without materialising the
// row. Works beside any attention kernel that reports its row log-sum-exp (the fused CPU kernel
// does; a kernel holding each row's max and sum gives it as max + log(sum)); without one, the
// log-sum-exp is computed here from all keys. Pure function; runs on the keys' device.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace vora::core {

struct KeySpan {
    int64_t start = 0; // first key position
    int64_t count = 0;
};

// query: [H, Dh] (RoPE applied); keys: [KvH, Lk, Dh], every key the row may attend to (query head h
// reads KV head h / (H / KvH), as grouped-query attention does); rowLogSumExp: [H] natural-log
// log-sum-exp of the row's scaled scores, or undefined to compute it from keys.
// Returns [H, sum of span counts] float32: probabilities for the spans' keys, spans concatenated.
at::Tensor imageAttentionProbabilities(const at::Tensor& query, const at::Tensor& keys, const std::vector<KeySpan>& spans,
                                       const at::Tensor& rowLogSumExp = {});

// The same for R rows at once, each with its own keys (the rows of one forward pass, one per layer): queries
// [R, H, Dh], keys [R, KvH, Lk, Dh], rowLogSumExp [R, H] or undefined. Returns [R, H, N]. A handful of
// batched operations whatever R is (one row costs as many), so a forward pass's layers are captured together.
at::Tensor imageAttentionProbabilitiesOfRows(const at::Tensor& queries, const at::Tensor& keys,
                                             const std::vector<KeySpan>& spans, const at::Tensor& rowLogSumExp = {});

} // namespace vora::core
