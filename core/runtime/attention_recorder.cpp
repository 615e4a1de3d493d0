#include "core/runtime/attention_recorder.h"

#include "core/attention/image_attention.h"
#include "core/model/attention_observer.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

namespace vora::core {

struct AttentionRecorder::Impl : AttentionObserver {
    std::vector<int> layers;
    AttentionDetail detail = AttentionDetail::Mean;
    std::vector<ImageSpan> images;
    std::vector<KeySpan> keySpans;
    int64_t promptLength = 0;
    // By absolute query position, then by layer: [H, N] (detail Heads) or [1, N] head means,
    // float32 on the model's device; N = all images' patches, images concatenated.
    std::map<int64_t, std::map<int, at::Tensor>> rows;

    bool wantsLayer(int layer) const override
    {
        return layers.empty() || std::find(layers.begin(), layers.end(), layer) != layers.end();
    }

    void store(int layer, int64_t position, const at::Tensor& perHead)
    {
        rows[position][layer] = detail == AttentionDetail::Heads ? perHead : perHead.mean(0, /*keepdim=*/true);
    }

    void onAttention(int layer, const at::Tensor& probabilities, int64_t queryStart) override
    {
        const int64_t lastQuery = probabilities.size(2) - 1;
        const int64_t position = queryStart + lastQuery;
        if (position < promptLength - 1) {
            return;
        }
        const at::Tensor row = probabilities[0].select(1, lastQuery); // [H, Lk]
        std::vector<at::Tensor> parts;
        for (const KeySpan& span : keySpans) {
            parts.push_back(row.narrow(1, span.start, span.count));
        }
        store(layer, position, parts.empty() ? row.narrow(1, 0, 0) : at::cat(parts, 1).to(at::kFloat));
    }

    void onQueryRow(int layer, const at::Tensor& query, const at::Tensor& keys, const at::Tensor& rowLogSumExp,
                    int64_t position) override
    {
        if (position < promptLength - 1) {
            return;
        }
        store(layer, position, imageAttentionProbabilities(query, keys, keySpans, rowLogSumExp));
    }
};

AttentionRecorder::AttentionRecorder(std::vector<int> layers, AttentionDetail detail)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->layers = std::move(layers);
    m_impl->detail = detail;
}

AttentionRecorder::~AttentionRecorder() = default;

void AttentionRecorder::begin(std::vector<ImageSpan> images, int64_t promptLength)
{
    m_impl->keySpans.clear();
    for (const ImageSpan& image : images) {
        m_impl->keySpans.push_back({image.start, image.patches()});
    }
    m_impl->images = std::move(images);
    m_impl->promptLength = promptLength;
    m_impl->rows.clear();
}

const std::vector<ImageSpan>& AttentionRecorder::images() const { return m_impl->images; }

AttentionDetail AttentionRecorder::detail() const { return m_impl->detail; }

std::vector<int> AttentionRecorder::recordedLayers() const
{
    std::vector<int> out;
    if (!m_impl->rows.empty()) {
        for (const auto& [layer, tensor] : m_impl->rows.begin()->second) {
            out.push_back(layer);
        }
    }
    return out;
}

namespace {

// [N] float32 on the CPU, contiguous -> one grid per image.
ImageGrids splitByImage(const at::Tensor& values, const std::vector<ImageSpan>& images)
{
    ImageGrids grids;
    const float* data = values.data_ptr<float>();
    for (const ImageSpan& image : images) {
        grids.emplace_back(data, data + image.patches());
        data += image.patches();
    }
    return grids;
}

} // namespace

std::vector<TokenAttention> AttentionRecorder::tokens() const
{
    std::vector<TokenAttention> out;
    for (const auto& [position, byLayer] : m_impl->rows) {
        std::vector<at::Tensor> stacked;
        for (const auto& [layer, tensor] : byLayer) {
            stacked.push_back(tensor);
        }
        const at::Tensor all = at::stack(stacked).to(at::kCPU).contiguous(); // [layers, H or 1, N]
        const at::Tensor mean = all.mean(at::IntArrayRef{0, 1}).contiguous();
        TokenAttention token;
        token.queryPosition = position;
        token.imageShare = static_cast<float>(mean.sum().item<double>());
        token.perImage = splitByImage(mean, m_impl->images);
        if (m_impl->detail != AttentionDetail::Mean) {
            const at::Tensor layerMeans = all.mean(1).contiguous();
            for (int64_t l = 0; l < all.size(0); ++l) {
                token.layers.push_back(splitByImage(layerMeans[l], m_impl->images));
            }
        }
        if (m_impl->detail == AttentionDetail::Heads) {
            for (int64_t l = 0; l < all.size(0); ++l) {
                std::vector<ImageGrids> perHead;
                for (int64_t h = 0; h < all.size(1); ++h) {
                    perHead.push_back(splitByImage(all[l][h], m_impl->images));
                }
                token.heads.push_back(std::move(perHead));
            }
        }
        out.push_back(std::move(token));
    }
    return out;
}

AttentionObserver* AttentionRecorder::observer() { return m_impl.get(); }

} // namespace vora::core
