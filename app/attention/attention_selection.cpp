#include "app/attention/attention_selection.h"

#include "core/attention/attention_aggregation.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vora::app {
namespace {

core::ImageGrids splitImages(const AnswerAttention& attention, const HalfGrids& grids)
{
    core::ImageGrids out;
    size_t offset = 0;
    for (const AttentionImage& image : attention.images) {
        const size_t patches = static_cast<size_t>(image.patches());
        if (offset + patches > grids.size()) {
            throw std::invalid_argument("attention map: a grid holds fewer values than its images' patches");
        }
        core::PatchGrid grid(patches);
        for (size_t p = 0; p < patches; ++p) {
            grid[p] = static_cast<float>(grids[offset + p]);
        }
        out.push_back(std::move(grid));
        offset += patches;
    }
    return out;
}

// The stored token in core's shape, so core's aggregations run on it.
core::TokenAttention toCore(const AnswerAttention& attention, const AttentionToken& token)
{
    core::TokenAttention out;
    out.imageShare = token.imageShare;
    out.perImage = splitImages(attention, token.mean);
    for (const HalfGrids& layer : token.layers) {
        out.layers.push_back(splitImages(attention, layer));
    }
    for (const std::vector<HalfGrids>& layer : token.heads) {
        std::vector<core::ImageGrids> perHead;
        for (const HalfGrids& head : layer) {
            perHead.push_back(splitImages(attention, head));
        }
        out.heads.push_back(std::move(perHead));
    }
    return out;
}

std::pair<int, int> layerRange(const AnswerAttention& attention, const AttentionSelection& selection)
{
    const int layers = static_cast<int>(attention.layerNumbers.size());
    switch (selection.layers) {
    case LayerScope::All:
        return {0, layers - 1};
    case LayerScope::Range:
        return {selection.firstLayer, selection.lastLayer};
    case LayerScope::Single:
        return {selection.firstLayer, selection.firstLayer};
    }
    return {0, layers - 1};
}

std::vector<float> meanOf(const std::vector<core::PatchGrid>& grids)
{
    std::vector<float> mean(grids.front().size(), 0.0f);
    for (const core::PatchGrid& grid : grids) {
        for (size_t p = 0; p < grid.size(); ++p) {
            mean[p] += grid[p];
        }
    }
    for (float& value : mean) {
        value /= static_cast<float>(grids.size());
    }
    return mean;
}

std::vector<float> computeGrid(const AnswerAttention& attention, const core::TokenAttention& token, int image,
                               const AttentionSelection& selection)
{
    if (selection.layers == LayerScope::All && selection.heads == HeadAggregation::Mean) {
        return token.perImage.at(static_cast<size_t>(image));
    }
    const auto [first, last] = layerRange(attention, selection);
    if (selection.heads == HeadAggregation::Mean) {
        return core::meanOverLayers(token, image, first, last);
    }
    std::vector<core::PatchGrid> perLayer;
    for (int layer = first; layer <= last; ++layer) {
        if (selection.heads == HeadAggregation::Max) {
            perLayer.push_back(core::reduceHeads(token, layer, image, core::HeadReduction::Max));
        } else {
            const std::vector<core::PatchGrid> groups = core::meanPerKvGroup(token, layer, image, attention.kvHeads);
            if (selection.kvGroup < 0 || selection.kvGroup >= static_cast<int>(groups.size())) {
                throw std::invalid_argument("attention map: KV group " + std::to_string(selection.kvGroup) + " of " +
                                            std::to_string(groups.size()));
            }
            perLayer.push_back(groups[static_cast<size_t>(selection.kvGroup)]);
        }
    }
    if (perLayer.empty()) {
        throw std::invalid_argument("attention map: an empty layer range");
    }
    return meanOf(perLayer);
}

} // namespace

AttentionDetailLevel requiredDetail(const AttentionSelection& selection)
{
    if (selection.heads != HeadAggregation::Mean) {
        return AttentionDetailLevel::Heads;
    }
    if (selection.layers != LayerScope::All || selection.hideSinks) {
        return AttentionDetailLevel::Layers;
    }
    return AttentionDetailLevel::Mean;
}

bool supports(const AnswerAttention& attention, const AttentionSelection& selection)
{
    if (int(attention.detail) < int(requiredDetail(selection))) {
        return false;
    }
    if (selection.heads == HeadAggregation::KvGroup && attention.kvHeads <= 0) {
        return false;
    }
    return true;
}

std::vector<float> selectedGrid(const AnswerAttention& attention, int token, int image, const AttentionSelection& selection)
{
    if (token < 0 || token >= attention.tokens.size() || image < 0 || image >= attention.images.size()) {
        throw std::invalid_argument("attention map: token " + std::to_string(token) + " or image " +
                                    std::to_string(image) + " out of range");
    }
    if (!supports(attention, selection)) {
        throw std::invalid_argument("attention map: this answer was saved without the detail the selection needs "
                                    "(raise the attention detail in Preferences and regenerate)");
    }
    std::vector<float> grid = computeGrid(attention, toCore(attention, attention.tokens[token]), image, selection);
    if (selection.hideSinks) {
        grid = core::hidePatches(std::move(grid), sinkPatches(attention, image));
    }
    return grid;
}

float answerMaximum(const AnswerAttention& attention, int image, const AttentionSelection& selection)
{
    const std::vector<int> sinks = selection.hideSinks ? sinkPatches(attention, image) : std::vector<int>{};
    AttentionSelection plain = selection;
    plain.hideSinks = false;
    float maximum = 0;
    for (int i = 0; i < attention.tokens.size(); ++i) {
        std::vector<float> grid = selectedGrid(attention, i, image, plain);
        grid = core::hidePatches(std::move(grid), sinks);
        for (float value : grid) {
            maximum = std::max(maximum, value);
        }
    }
    return maximum;
}

std::vector<int> sinkPatches(const AnswerAttention& attention, int image)
{
    std::vector<core::TokenAttention> tokens;
    for (const AttentionToken& token : attention.tokens) {
        tokens.push_back(toCore(attention, token));
    }
    return core::sinkPatches(tokens, image);
}

} // namespace vora::app
