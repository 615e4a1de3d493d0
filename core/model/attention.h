#pragma once
// The attention core of a decoder block: softmax(q k^T / sqrt(d)) v with grouped-query heads, under the
// VoRA pattern (docs/vora-format.md, "the image block mask": causal, except that each run of image tokens
// sees itself whole).
//
// Inference describes that pattern as segments of query rows, never as a mask tensor: text rows are causal,
// an image's rows are non-causal over every key up to the image's end, and each segment runs as mask-free
// fused attention, so a 9k-token prompt needs no L x L anything. Training batches pass a dense mask
// (their padding differs per row). The explicit path (probabilities for an observer) builds the dense
// matrix from the segments, as it forms L x L probabilities anyway; the fused path hands an observer the
// chunk's last query row and the keys instead (AttentionObserver::onQueryRow).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <vector>

namespace vora::core {

class AttentionObserver;

enum class AttentionImpl {
    Fused,    // scaled_dot_product_attention kernels; no probabilities are formed
    Explicit, // softmax(QK^T/sqrt(d) + mask) V, probabilities available to an observer
};

// Rows [queryStart, queryStart + length) of a chunk (relative to the chunk) see keys [0, keyEnd) (absolute:
// cached keys included). Causal rows are aligned bottom-right: row r sees keys [0, keyEnd - length + r], so
// the segment's last row sees all keyEnd keys. Non-causal rows (an image block) all see keys [0, keyEnd).
struct AttentionSegment {
    int64_t queryStart = 0;
    int64_t length = 0;
    int64_t keyEnd = 0;
    bool causal = true;

    bool operator==(const AttentionSegment&) const = default;
};

// How a chunk's queries may attend: segments when given (they cover the chunk's rows in order), else a
// dense mask, else square causal (causal) or unrestricted (!causal).
struct AttentionMaskSpec {
    std::vector<AttentionSegment> segments;
    at::Tensor mask; // bool [B or 1, 1, Lq, Lk], true = may attend
    bool causal = true;
};

// q: [B, H, Lq, Dh]; k, v: [B, KvH, Lk, Dh] (H a multiple of KvH) -> [B, H, Lq, Dh]. queryStart is the
// absolute position of q's first row (for the observer).
at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const AttentionMaskSpec& mask,
                  AttentionImpl impl, int layer, int64_t queryStart, AttentionObserver* observer);

// The spec as a bool [Lq, Lk] matrix (true = may attend), for the explicit path and tests.
at::Tensor allowedMatrixOf(const AttentionMaskSpec& mask, int64_t lq, int64_t lk, c10::Device device);

} // namespace vora::core
