#include "cli/attention_grids.h"

#include "cli/command_line.h"
#include "core/attention/attention_aggregation.h"
#include "core/error.h"

namespace vora::cli {
namespace {

core::PatchGrid meanOfHeadMaxima(const core::TokenAttention& token, int image, core::LayerRange layers)
{
    core::PatchGrid sum;
    for (int l = layers.first; l <= layers.last; ++l) {
        const core::PatchGrid grid = core::reduceHeads(token, l, image, core::HeadReduction::Max);
        sum.resize(grid.size(), 0.f);
        for (size_t p = 0; p < grid.size(); ++p) {
            sum[p] += grid[p];
        }
    }
    for (float& v : sum) {
        v /= static_cast<float>(layers.last - layers.first + 1);
    }
    return sum;
}

core::ImageGrids capturedGrids(const core::TokenAttention& token, Aggregate aggregate, core::LayerRange layers)
{
    core::ImageGrids grids;
    for (size_t j = 0; j < token.perImage.size(); ++j) {
        const int image = static_cast<int>(j);
        grids.push_back(aggregate == Aggregate::Max ? meanOfHeadMaxima(token, image, layers)
                                                    : core::meanOverLayers(token, image, layers.first, layers.last));
    }
    return grids;
}

} // namespace

Aggregate parseAggregate(const std::string& text)
{
    if (text == "mean") {
        return Aggregate::Mean;
    }
    if (text == "max") {
        return Aggregate::Max;
    }
    if (text == "rollout") {
        return Aggregate::Rollout;
    }
    throw UsageError("--aggregate must be mean, max or rollout, got '" + text + "'");
}

std::optional<core::AttentionDetail> parseAttentionDetail(const std::string& text, const std::string& flag,
                                                          bool offAllowed)
{
    if (offAllowed && text == "off") {
        return std::nullopt;
    }
    if (text == "mean") {
        return core::AttentionDetail::Mean;
    }
    if (text == "layers") {
        return core::AttentionDetail::Layers;
    }
    if (text == "heads") {
        return core::AttentionDetail::Heads;
    }
    throw UsageError(flag + " must be " + (offAllowed ? "off, " : "") + "mean, layers or heads");
}

std::string aggregateName(Aggregate aggregate)
{
    switch (aggregate) {
    case Aggregate::Mean: return "mean";
    case Aggregate::Max: return "max";
    case Aggregate::Rollout: return "rollout";
    }
    return "mean";
}

std::vector<core::ImageGrids> aggregatedGrids(const std::vector<core::TokenAttention>& tokens, Aggregate aggregate,
                                              core::LayerRange layers, const core::ReprefillAttention* reprefill)
{
    if (aggregate == Aggregate::Rollout) {
        core::require(reprefill && reprefill->answerRollout.size() == tokens.size(), core::ErrorCode::Internal,
                      "rollout: the re-prefill does not cover the answer's tokens");
        return reprefill->answerRollout;
    }
    std::vector<core::ImageGrids> out;
    for (const core::TokenAttention& token : tokens) {
        out.push_back(capturedGrids(token, aggregate, layers));
    }
    return out;
}

core::ImageGrids promptPositionGrids(const core::ReprefillAttention& reprefill, Aggregate aggregate,
                                     core::LayerRange layers)
{
    core::require(reprefill.promptPositions.size() == 1, core::ErrorCode::Internal,
                  "the re-prefill holds no prompt position");
    if (aggregate == Aggregate::Rollout) {
        return reprefill.promptPositionRollout[0];
    }
    return capturedGrids(reprefill.promptPositions[0], aggregate, layers);
}

} // namespace vora::cli
