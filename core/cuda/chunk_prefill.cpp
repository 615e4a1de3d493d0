#include "core/cuda/chunk_prefill.h"

#include "core/cuda/decode_kernels.h"
#include "core/cuda/decode_step.h"
#include "core/cuda/torch_interop.h"
#include "core/error.h"
#include "core/model/attention.h"
#include "core/model/attention_observer.h"
#include "core/model/kv_cache.h"
#include "core/model/vora_model.h"

#include <c10/cuda/CUDAGuard.h>
#include <torch/torch.h>

namespace vora::core {

ChunkPrefill::ChunkPrefill(const VoraModel& model)
    : m_model(model)
{
    const std::string reason = DecodeStep::whyNot(model);
    require(reason.empty(), ErrorCode::InvalidArgument, "CUDA chunk prefill: " + reason);
    const c10::cuda::CUDAGuard device(model.device());
    const auto on = at::TensorOptions().device(model.device()).dtype(at::kLong);
    std::tie(m_cos, m_sin) = model.decoder().rope.tables(model.dtype());
    m_cos = m_cos.contiguous();
    m_sin = m_sin.contiguous();
    m_cacheTable = at::zeros({2 * model.config().numLayers + 1}, on);
    m_position = at::zeros({1}, on);
}

at::Tensor ChunkPrefill::run(KvCache& cache, const at::Tensor& embeddings, const AttentionMaskSpec& mask, bool allRows,
                             AttentionObserver* observer)
{
    const c10::cuda::CUDAGuard device(m_model.device()); // the launchers use the current device's stream
    const DecoderModel& decoder = m_model.decoder();
    const ModelConfig& c = m_model.config();
    const int64_t d = c.hiddenSize;
    const int64_t rows = embeddings.dim() == 3 ? embeddings.size(1) : 0;
    const int64_t past = cache.length();
    require(rows > 0 && embeddings.size(0) == 1 && embeddings.size(2) == d && embeddings.device() == m_model.device()
                && embeddings.scalar_type() == m_model.dtype(),
            ErrorCode::Internal, "chunk prefill: embeddings must be [1, L, hidden] in the model's dtype and device");
    require(cache.numLayers() == c.numLayers && past + rows <= cache.capacity(), ErrorCode::Internal,
            "chunk prefill: the KV cache is another model's or has no room for the chunk");
    require(past + rows <= m_cos.size(0), ErrorCode::InvalidArgument,
            "sequence of " + std::to_string(past + rows) + " positions exceeds the context of "
                + std::to_string(m_cos.size(0)));

    const auto type = cuda::elementTypeOf(m_model.dtype());
    const cuda::Launch stream(cuda::currentStream());
    const int layers = c.numLayers;
    const auto heads = static_cast<int>(c.numHeads);
    const auto kvHeads = static_cast<int>(c.numKeyValueHeads);
    const auto headDim = static_cast<int>(c.headDim);
    const auto n = static_cast<int>(rows);
    const int64_t intermediate = decoder.layers.front().mlp.gate_up_proj.weight.size(0) / 2;
    cuda::writeCacheTable(m_cacheTable, cache, m_model.device(), m_model.dtype());
    m_position.fill_(past);

    const auto options = embeddings.options();
    at::Tensor residual = embeddings.reshape({rows, d}).clone(at::MemoryFormat::Contiguous); // updated in place
    at::Tensor normed = at::empty_like(residual);
    // What o_proj and down_proj add to the residual stream; the next norm adds it in.
    at::Tensor delta = at::empty_like(residual);
    at::Tensor qkv = at::empty({rows, (heads + 2 * kvHeads) * headDim}, options);
    at::Tensor queries = at::empty({rows, heads * headDim}, options);
    at::Tensor gateUp = at::empty({rows, 2 * intermediate}, options);
    at::Tensor activated = at::empty({rows, intermediate}, options);
    const auto norm = [&](const RmsNorm& weights, const void* added, int64_t first, int count) {
        cuda::requireLaunched(cuda::launchAddRmsNorm(type, residual[first].data_ptr(), added, weights.weight.data_ptr(),
                                                     normed[first].data_ptr(), static_cast<int>(d),
                                                     static_cast<float>(weights.eps), stream, count),
                              "chunk prefill, norm");
    };

    for (int l = 0; l < layers; ++l) {
        const DecoderLayer& layer = decoder.layers[static_cast<size_t>(l)];
        norm(layer.input_layernorm, l == 0 ? nullptr : delta.data_ptr(), 0, n);
        cuda::linearInto(layer.self_attn.qkv_proj, normed, qkv);
        cuda::requireLaunched(cuda::launchRopeStore(type, qkv.data_ptr(), m_cos.data_ptr(), m_sin.data_ptr(),
                                                    m_position.data_ptr<int64_t>(), m_cacheTable.data_ptr<int64_t>(),
                                                    l, layers, queries.data_ptr(), heads, kvHeads, headDim, stream, n),
                              "chunk prefill, rope and cache write");
        const at::Tensor q = queries.view({1, rows, heads, headDim}).transpose(1, 2);
        const at::Tensor k = cache.keys(l).narrow(2, 0, past + rows);
        const at::Tensor v = cache.values(l).narrow(2, 0, past + rows);
        if (observer && observer->wantsLayer(l)) {
            // What the eager fused path reports (core/model/attention.cpp); the row sees every key.
            observer->onQueryRow(l, q[0].select(1, rows - 1), k[0], at::Tensor(), past + rows - 1);
        }
        const at::Tensor attended = attend(q, k, v, mask, AttentionImpl::Fused, l, past, nullptr);
        cuda::linearInto(layer.self_attn.o_proj, attended.transpose(1, 2).reshape({rows, heads * headDim}), delta);
        norm(layer.post_attention_layernorm, delta.data_ptr(), 0, n);
        cuda::linearInto(layer.mlp.gate_up_proj, normed, gateUp);
        cuda::requireLaunched(cuda::launchSwiGlu(type, gateUp.data_ptr(), activated.data_ptr(),
                                                 static_cast<int>(intermediate), stream, n),
                              "chunk prefill, swiglu");
        cuda::linearInto(layer.mlp.down_proj, activated, delta);
    }
    if (observer) {
        observer->onForwardEnd();
    }
    cache.commit(rows);
    // The final norm and the vocabulary projection only for the rows whose logits are wanted.
    const int64_t first = allRows ? 0 : rows - 1;
    norm(decoder.norm, delta[first].data_ptr(), first, static_cast<int>(rows - first));
    return linearForward(normed.narrow(0, first, rows - first), decoder.lm_head, at::Tensor()).to(at::kFloat);
}

} // namespace vora::core
