#pragma once
// The memory-bandwidth floor of decoding: each decode step reads every weight the step uses once, plus the
// KV cache so far, so no implementation can beat (read bandwidth) / (bytes per step) tokens per second at
// batch 1. `vora bench` prints the floor beside the measured speed, so a number says how far from the
// machine's limit it is (the CPU target of the demo model is stated as a share of this floor).
#include "core/model/model_config.h"

#include <c10/core/Device.h>

#include <cstddef>
#include <cstdint>

namespace vora::core {

// Bytes of weights one decode step reads: every Linear, norm and bias of every block, the final norm, the
// vocabulary projection, and one row of the embedding table (the whole table when it is also the
// vocabulary projection, counted once). The vision embedding is not used by decode steps.
int64_t decodeWeightBytes(const ModelConfig& config, size_t elementSize);

// Bytes of keys and values a decode step reads at a context of `contextTokens` positions.
int64_t kvCacheReadBytes(const ModelConfig& config, int64_t contextTokens, size_t elementSize);

// Read bandwidth as LibTorch sees it on `device`: a reduction over a buffer of `bufferBytes` (large enough
// to miss every cache), best of `repeats` after a warm-up, with the thread count decode runs with.
double measureReadBandwidth(c10::Device device, int64_t bufferBytes, int repeats);

struct DecodeFloor {
    int64_t weightBytes = 0;
    int64_t kvBytes = 0;
    double readBytesPerSecond = 0;
    double tokensPerSecond = 0; // readBytesPerSecond / (weightBytes + kvBytes)
};

DecodeFloor decodeFloor(const ModelConfig& config, size_t elementSize, int64_t contextTokens,
                        double readBytesPerSecond);

} // namespace vora::core
