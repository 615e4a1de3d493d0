#include "core/runtime/decode_floor.h"

#include "core/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace vora::core {

int64_t decodeWeightBytes(const ModelConfig& config, size_t elementSize)
{
    const int64_t h = config.hiddenSize;
    const int64_t kv = int64_t(config.numKeyValueHeads) * config.headDim;
    const int64_t q = int64_t(config.numHeads) * config.headDim;
    const int64_t i = config.intermediateSize;
    int64_t perLayer = h * q + 2 * h * kv + q * h // q, k, v, o
                       + 3 * h * i                // gate, up, down
                       + 2 * h;                   // the two RMSNorm weights
    if (config.attentionBias) {
        perLayer += q + 2 * kv;
    }
    if (config.mlpBias) {
        perLayer += 2 * i + h;
    }
    const int64_t vocabulary = config.vocabSize * h;
    const int64_t embeddingRow = config.tieWordEmbeddings ? 0 : h;
    const int64_t elements = perLayer * config.numLayers + h + vocabulary + embeddingRow;
    return elements * static_cast<int64_t>(elementSize);
}

int64_t kvCacheReadBytes(const ModelConfig& config, int64_t contextTokens, size_t elementSize)
{
    return 2 * int64_t(config.numLayers) * config.numKeyValueHeads * config.headDim * contextTokens
           * static_cast<int64_t>(elementSize);
}

double measureReadBandwidth(c10::Device device, int64_t bufferBytes, int repeats)
{
    require(bufferBytes >= 1 << 20 && repeats >= 1, ErrorCode::InvalidArgument,
            "measureReadBandwidth: at least 1 MiB and one repeat");
    const c10::InferenceMode inference;
    const auto buffer = torch::ones({bufferBytes / int64_t(sizeof(float))},
                                    torch::TensorOptions().dtype(torch::kFloat32).device(device));
    auto sync = [&] {
        if (device.is_cuda()) {
            torch::cuda::synchronize(device.index());
        }
    };
    double best = 0;
    buffer.sum().item<float>(); // warm-up: pages touched, kernels loaded
    for (int r = 0; r < repeats; ++r) {
        sync();
        const auto started = std::chrono::steady_clock::now();
        const float total = buffer.sum().item<float>();
        sync();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        require(total > 0, ErrorCode::Internal, "measureReadBandwidth: the reduction read nothing");
        best = std::max(best, double(buffer.numel()) * sizeof(float) / seconds);
    }
    return best;
}

DecodeFloor decodeFloor(const ModelConfig& config, size_t elementSize, int64_t contextTokens,
                        double readBytesPerSecond)
{
    DecodeFloor floor;
    floor.weightBytes = decodeWeightBytes(config, elementSize);
    floor.kvBytes = kvCacheReadBytes(config, contextTokens, elementSize);
    floor.readBytesPerSecond = readBytesPerSecond;
    floor.tokensPerSecond = readBytesPerSecond / double(floor.weightBytes + floor.kvBytes);
    return floor;
}

} // namespace vora::core
