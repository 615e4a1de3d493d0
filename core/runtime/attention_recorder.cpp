#include "core/runtime/attention_recorder.h"

#include "core/model/attention_observer.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

namespace vora::core {

struct AttentionRecorder::Impl : AttentionObserver {
    std::vector<int> layers;
    std::vector<ImageSpan> images;
    int64_t promptLength = 0;
    struct Accumulator {
        at::Tensor sum; // [Lk] float32 on CPU, summed over layers of head-averaged rows
        int count = 0;
    };
    std::map<int64_t, Accumulator> rows; // by absolute query position

    bool wantsLayer(int layer) const override
    {
        return layers.empty() || std::find(layers.begin(), layers.end(), layer) != layers.end();
    }

    void onAttention(int, const at::Tensor& probabilities, int64_t queryStart) override
    {
        const int64_t lastQuery = probabilities.size(2) - 1;
        const int64_t position = queryStart + lastQuery;
        if (position < promptLength - 1) {
            return;
        }
        const at::Tensor row = probabilities[0].select(1, lastQuery).mean(0).to(at::kFloat).cpu();
        Accumulator& acc = rows[position];
        acc.sum = acc.count == 0 ? row.clone() : acc.sum + row.narrow(0, 0, acc.sum.size(0));
        ++acc.count;
    }
};

AttentionRecorder::AttentionRecorder(std::vector<int> layers)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->layers = std::move(layers);
}

AttentionRecorder::~AttentionRecorder() = default;

void AttentionRecorder::begin(std::vector<ImageSpan> images, int64_t promptLength)
{
    m_impl->images = std::move(images);
    m_impl->promptLength = promptLength;
    m_impl->rows.clear();
}

const std::vector<ImageSpan>& AttentionRecorder::images() const { return m_impl->images; }

std::vector<TokenAttention> AttentionRecorder::tokens() const
{
    std::vector<TokenAttention> out;
    for (const auto& [position, acc] : m_impl->rows) {
        const at::Tensor mean = acc.sum / static_cast<double>(acc.count);
        TokenAttention token;
        token.queryPosition = position;
        double imageMass = 0;
        for (const ImageSpan& image : m_impl->images) {
            const int64_t count = int64_t(image.gridHeight) * image.gridWidth;
            const at::Tensor slice = mean.narrow(0, image.start, count).contiguous();
            imageMass += slice.sum().item<double>();
            token.perImage.emplace_back(slice.data_ptr<float>(), slice.data_ptr<float>() + count);
        }
        token.imageShare = static_cast<float>(imageMass);
        out.push_back(std::move(token));
    }
    return out;
}

AttentionObserver* AttentionRecorder::observer() { return m_impl.get(); }

} // namespace vora::core
