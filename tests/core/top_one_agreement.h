#pragma once
// Top-1 agreement between two computations of the same logits that differ only in rounding (a session's
// cached prefix vs a fresh prefill, a CUDA graph vs eager). In float32 they must pick the same token in every
// row. In bfloat16 a row may pick differently only at a near-tie of the reference: the two tokens' reference
// logits within kBf16TieFraction of the row's largest |logit| (2% = about 2.5 bf16 spacings at that value:
// the logits are rounded to bf16 once, and the hidden state they come from a few times per layer, each
// rounding moving a value by up to half a spacing). A wrong position, cache offset or RoPE moves logits by
// far more than that (order 1 relative), and is caught by the relative-difference check next to this one.
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace top_one {

constexpr double kBf16TieFraction = 0.02;
// Absolute floor for rows whose logits are all near zero.
constexpr double kBf16TieFloor = 1e-3;

// How far `token` trails the argmax of `row` (>= 0), and whether that is within bf16 rounding.
inline double trailsArgmaxBy(const at::Tensor& row, int64_t token)
{
    const at::Tensor r = row.to(at::kDouble);
    return (r.max() - r[token]).item<double>();
}

inline bool isBf16NearTie(const at::Tensor& row, int64_t token)
{
    const double scale = row.to(at::kDouble).abs().max().item<double>();
    return trailsArgmaxBy(row, token) <= kBf16TieFraction * scale + kBf16TieFloor;
}

struct Agreement {
    int64_t rows = 0;        // rows compared
    int64_t differing = 0;   // rows whose top-1 differs
    int64_t nearTies = 0;    // differing rows where the reference margin is within bf16 rounding
    double largestMargin = 0; // largest reference margin among differing rows

    void add(const Agreement& other)
    {
        rows += other.rows;
        differing += other.differing;
        nearTies += other.nearTies;
        largestMargin = std::max(largestMargin, other.largestMargin);
    }
    // Every differing row is a near-tie (bf16), or no row differs (float32: pass allowNearTies = false).
    bool acceptable(bool allowNearTies) const { return differing == (allowNearTies ? nearTies : 0); }
    std::string describe() const
    {
        return std::to_string(rows) + " rows compared, " + std::to_string(differing) + " top-1 differ ("
            + std::to_string(nearTies) + " near-ties, largest reference margin " + std::to_string(largestMargin) + ")";
    }
};

// logits and reference: [rows, vocabulary], any device and floating type.
inline Agreement compareTopOne(const at::Tensor& logits, const at::Tensor& reference)
{
    Agreement agreement;
    const at::Tensor mine = logits.argmax(-1).cpu();
    const at::Tensor theirs = reference.argmax(-1).cpu();
    const at::Tensor rows = reference.to(at::kDouble).cpu();
    agreement.rows = rows.size(0);
    for (int64_t i = 0; i < agreement.rows; ++i) {
        const int64_t token = mine[i].item<int64_t>();
        if (token == theirs[i].item<int64_t>()) {
            continue;
        }
        ++agreement.differing;
        agreement.largestMargin = std::max(agreement.largestMargin, trailsArgmaxBy(rows[i], token));
        if (isBf16NearTie(rows[i], token)) {
            ++agreement.nearTies;
        }
    }
    return agreement;
}

// ||a - b|| / ||b|| over the whole tensor, in double.
inline double relativeDifference(const at::Tensor& a, const at::Tensor& b)
{
    const at::Tensor x = a.to(at::kDouble).cpu();
    const at::Tensor y = b.to(at::kDouble).cpu();
    return ((x - y).norm() / y.norm()).item<double>();
}

} // namespace top_one
