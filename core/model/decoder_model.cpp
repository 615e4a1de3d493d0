#include "core/model/decoder_model.h"

#include "core/model/attention_observer.h"
#include "core/model/kv_cache.h"

#include <torch/torch.h>

namespace vora::core {

at::Tensor DecoderModel::embed(const at::Tensor& ids) const
{
    return at::embedding(embed_tokens, ids);
}

at::Tensor DecoderModel::forward(const at::Tensor& embeddings, int64_t positionStart, const AttentionMaskSpec& mask,
                                 KvCache* cache, const ForwardOptions& options) const
{
    LayerContext context;
    context.rope = &rope;
    context.positionStart = positionStart;
    context.mask = &mask;
    context.cache = cache;
    context.impl = options.impl;
    context.observer = options.observer;

    at::Tensor hidden = embeddings;
    for (const DecoderLayer& layer : layers) {
        if (options.onHiddenState) {
            options.onHiddenState(layer.index, hidden);
        }
        hidden = layer.forward(hidden, context);
    }
    if (options.observer) {
        options.observer->onForwardEnd();
    }
    if (cache) {
        cache->commit(embeddings.size(1));
    }
    return norm.forward(hidden);
}

void DecoderModel::fuseForInference()
{
    for (DecoderLayer& layer : layers) {
        layer.fuseForInference();
    }
    rope.castTables(embed_tokens.scalar_type());
}

at::Tensor DecoderModel::logits(const at::Tensor& hidden) const
{
    return linearForward(hidden, lm_head, at::Tensor());
}

} // namespace vora::core
