#include "core/attention/attention_aggregation.h"

#include "core/error.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace vora::core {
namespace {

void requireIndex(bool ok, const std::string& what)
{
    require(ok, ErrorCode::InvalidArgument, "attention aggregation: " + what);
}

const ImageGrids& layerGrids(const TokenAttention& token, int layer)
{
    requireIndex(!token.layers.empty(), "per-layer grids not recorded (detail mean)");
    requireIndex(layer >= 0 && layer < static_cast<int>(token.layers.size()),
                 "layer " + std::to_string(layer) + " of " + std::to_string(token.layers.size()) + " recorded");
    return token.layers[static_cast<size_t>(layer)];
}

const std::vector<ImageGrids>& headGrids(const TokenAttention& token, int layer, int image)
{
    requireIndex(!token.heads.empty(), "per-head grids not recorded (detail heads needed)");
    requireIndex(layer >= 0 && layer < static_cast<int>(token.heads.size()),
                 "layer " + std::to_string(layer) + " of " + std::to_string(token.heads.size()) + " recorded");
    const auto& heads = token.heads[static_cast<size_t>(layer)];
    requireIndex(!heads.empty() && image >= 0 && image < static_cast<int>(heads[0].size()),
                 "image " + std::to_string(image) + " out of range");
    return heads;
}

} // namespace

PatchGrid meanOverLayers(const TokenAttention& token, int image, int firstLayer, int lastLayer)
{
    requireIndex(firstLayer <= lastLayer, "empty layer range");
    PatchGrid sum;
    for (int l = firstLayer; l <= lastLayer; ++l) {
        const ImageGrids& grids = layerGrids(token, l);
        requireIndex(image >= 0 && image < static_cast<int>(grids.size()), "image " + std::to_string(image) + " out of range");
        const PatchGrid& grid = grids[static_cast<size_t>(image)];
        sum.resize(grid.size(), 0.f);
        std::transform(sum.begin(), sum.end(), grid.begin(), sum.begin(), std::plus<>());
    }
    const auto count = static_cast<float>(lastLayer - firstLayer + 1);
    for (float& v : sum) {
        v /= count;
    }
    return sum;
}

PatchGrid reduceHeads(const TokenAttention& token, int layer, int image, HeadReduction reduction)
{
    const auto& heads = headGrids(token, layer, image);
    PatchGrid out = heads[0][static_cast<size_t>(image)];
    for (size_t h = 1; h < heads.size(); ++h) {
        const PatchGrid& grid = heads[h][static_cast<size_t>(image)];
        for (size_t p = 0; p < out.size(); ++p) {
            out[p] = reduction == HeadReduction::Max ? std::max(out[p], grid[p]) : out[p] + grid[p];
        }
    }
    if (reduction == HeadReduction::Mean) {
        for (float& v : out) {
            v /= static_cast<float>(heads.size());
        }
    }
    return out;
}

std::vector<PatchGrid> meanPerKvGroup(const TokenAttention& token, int layer, int image, int kvHeads)
{
    const auto& heads = headGrids(token, layer, image);
    requireIndex(kvHeads > 0 && heads.size() % static_cast<size_t>(kvHeads) == 0,
                 std::to_string(heads.size()) + " heads do not form " + std::to_string(kvHeads) + " KV groups");
    const size_t groupSize = heads.size() / static_cast<size_t>(kvHeads);
    std::vector<PatchGrid> out(static_cast<size_t>(kvHeads), PatchGrid(heads[0][static_cast<size_t>(image)].size(), 0.f));
    for (size_t h = 0; h < heads.size(); ++h) {
        const PatchGrid& grid = heads[h][static_cast<size_t>(image)];
        PatchGrid& group = out[h / groupSize];
        for (size_t p = 0; p < grid.size(); ++p) {
            group[p] += grid[p] / static_cast<float>(groupSize);
        }
    }
    return out;
}

std::vector<int> sinkPatches(const std::vector<TokenAttention>& tokens, int image, double factor)
{
    if (tokens.empty()) {
        return {};
    }
    const auto layers = static_cast<int>(tokens[0].layers.size());
    requireIndex(layers > 0, "per-layer grids not recorded (detail mean)");
    std::vector<int> sinks;
    for (int l = 0; l < layers; ++l) {
        std::vector<double> mean;
        for (const TokenAttention& token : tokens) {
            const ImageGrids& grids = layerGrids(token, l);
            requireIndex(image >= 0 && image < static_cast<int>(grids.size()), "image " + std::to_string(image) + " out of range");
            const PatchGrid& grid = grids[static_cast<size_t>(image)];
            mean.resize(grid.size(), 0.0);
            for (size_t p = 0; p < grid.size(); ++p) {
                mean[p] += grid[p];
            }
        }
        const double total = std::accumulate(mean.begin(), mean.end(), 0.0);
        std::vector<int> here;
        for (size_t p = 0; p < mean.size() && total > 0; ++p) {
            if (mean[p] / total > factor / static_cast<double>(mean.size())) {
                here.push_back(static_cast<int>(p));
            }
        }
        if (l == 0) {
            sinks = here;
        } else {
            std::vector<int> both;
            std::set_intersection(sinks.begin(), sinks.end(), here.begin(), here.end(), std::back_inserter(both));
            sinks = std::move(both);
        }
    }
    return sinks;
}

PatchGrid hidePatches(PatchGrid grid, const std::vector<int>& patches)
{
    for (int p : patches) {
        requireIndex(p >= 0 && p < static_cast<int>(grid.size()), "patch " + std::to_string(p) + " outside the grid");
        grid[static_cast<size_t>(p)] = 0.f;
    }
    return grid;
}

std::vector<float> imageShares(const TokenAttention& token)
{
    std::vector<float> out;
    for (const PatchGrid& grid : token.perImage) {
        out.push_back(std::accumulate(grid.begin(), grid.end(), 0.f));
    }
    return out;
}

} // namespace vora::core
