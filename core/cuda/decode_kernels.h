#pragma once
// Launchers of the CUDA kernels of one decode step (batch 1, one token); the norm, RoPE and SwiGLU kernels
// also take a number of rows, for the prefill of a chunk of tokens (core/cuda/chunk_prefill.h). Plain pointers and sizes in,
// an asynchronous launch on the given stream out: no torch here, so the kernels build with nvcc alone and
// every launcher is usable inside CUDA graph capture. Errors: launchers return the launch's cudaError_t.
//
// Element types follow the model: float32, bfloat16 or float16. Where a kernel replaces a chain of eager
// LibTorch operations, it rounds to the element type at the same points, so its results match the eager
// path bit for bit in float32 and up to the order of sums elsewhere.
//
// KV cache pointer table (int64 on the device, 2 * layers + 1 entries): the key and value storage of layer
// l at [2l] and [2l + 1], each [KvH, capacity, Dh] contiguous, then the capacity. One graph serves every
// cache: binding a session rewrites the table, not the graph.
#include <cuda_runtime_api.h>

#include <cstdint>

namespace vora::core::cuda {

enum class ElementType { Float32, BFloat16, Float16 };

// Where a kernel runs: the stream, and whether it may overlap the end of the kernel before it on that
// stream (programmatic dependent launch, compute capability 9.0 and later; core/cuda/launch.cuh says how
// the kernels stay correct). Every kernel here supports both; results are the same bits either way.
struct Launch {
    Launch(cudaStream_t s, bool overlapPrevious = false) // NOLINT: a plain stream is a serial launch
        : stream(s), overlap(overlapPrevious)
    {
    }
    cudaStream_t stream;
    bool overlap;
};

// residual += delta (when delta is not null, rounded to the element type), then
// out = weight * (residual * rsqrt(mean(residual^2) + eps)) as HF's RMSNorm rounds it. Rows of d (at most
// addRmsNormMaxSize(), 16384, elements), contiguous: residual, delta and out are [rows, d].
int addRmsNormMaxSize();
cudaError_t launchAddRmsNorm(ElementType type, void* residual, const void* delta, const void* weight, void* out,
                             int d, float eps, const Launch& launch, int rows = 1);

// qkv: [rows, (H + 2 KvH) * Dh], the tokens at positions *position + row (q heads, k heads, v heads). Rotates
// q and k by their position (rotate-half layout; cos/sin tables [maxPositions, Dh] in the element type),
// writes the rotated q to qOut [rows, H * Dh] and k, v into layer's cache rows at those positions (skipped
// past the capacity). The prefill's rows; the decode step's token is rotated inside launchDecodeAttention.
cudaError_t launchRopeStore(ElementType type, const void* qkv, const void* cosTable, const void* sinTable,
                            const int64_t* position, const int64_t* cacheTable, int layer, int numLayers, void* qOut,
                            int numHeads, int numKvHeads, int headDim, const Launch& launch, int rows = 1);

// Per row: out[i] = silu(gateUp[i]) * gateUp[intermediate + i], each rounded as at::silu and at::mul round
// (the prefill's rows; the decode step joins it to the gate and up product, launchGatedGemv).
// gateUp: [rows, 2 * intermediate], out: [rows, intermediate].
cudaError_t launchSwiGlu(ElementType type, const void* gateUp, void* out, int intermediate, const Launch& launch,
                         int rows = 1);

// y[n] = W[n, :] . x (+ bias[n]), W row-major [n, k]; float accumulation, one rounding at the end. Needs
// k a multiple of 16 bytes' worth of elements and 16-byte aligned W and x (gemvFits).
// Variants 0 .. gemvVariantCount() - 1 differ in how many weight loads each lane keeps in flight, how
// many rows a warp takes and whether a block's warps split k (gemvVariantName()); which is fastest depends
// on the shape and the card, so the decode step times them at load. Variants that split k add in another
// order than those that do not (gemvVariantSplitsK): the same bits within each kind, not across them.
bool gemvFits(ElementType type, const void* w, const void* x, int k);
int gemvVariantCount();
const char* gemvVariantName(int variant);
bool gemvVariantSplitsK(int variant);
cudaError_t launchGemv(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                       const Launch& launch, int variant = 0);

// The MLP's gate and up products with SwiGLU in one kernel: W is [2n, k] (gate rows, then up rows), and
// y[i] = silu(g) * u for i < n, where g and u are rows i and n + i of W x (+ bias) rounded to the element
// type: the same bits as launchGemv (the same variant) into a [2n] buffer followed by launchSwiGlu, without
// the buffer and the extra launch. Only variants whose rows come in pairs (gemvVariantGates).
bool gemvVariantGates(int variant);
cudaError_t launchGatedGemv(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                            const Launch& launch, int variant);

// The decode step's token at one layer, as the decode attention reads it. qkv: the qkv projection's output
// [(H + 2 KvH) * Dh] (q heads, k heads, v heads; before RoPE); cos/sin tables as launchRopeStore's; qOut
// [H * Dh] receives the rotated q heads (the attention capture reads them). qkv, the tables and qOut must
// be 16-byte aligned.
struct DecodeToken {
    const void* qkv;
    const void* cosTable;
    const void* sinTable;
    const int64_t* position;
    const int64_t* cacheTable;
    int layer;
    int numLayers;
    void* qOut;
};

// Decode attention of one token at *position (read on the device, so the launch is the same every step):
// RoPE on its q and k heads and the k and v rows into layer's cache at the position (the same bits as
// launchRopeStore with one row), then attention of its q heads over the first *position + 1 cached keys, split
// over the keys ("flash decoding"): each block reads one KV head's slice once for its whole query group.
// out: [H * Dh]. Writes each head's row statistics: rowMax[h] (natural units, of q.k / sqrt(Dh)) and
// rowSum[h] = sum_j exp(s_j - rowMax[h]), so that a probability is exp(s_j - rowMax[h]) / rowSum[h].
// workspace: decodeAttentionWorkspaceFloats(...) floats; splits: 1 to 64. Needs *position < the capacity,
// which the host guarantees: past it the cache is neither read nor written, but out, rowMax and rowSum are
// then merged from whatever the workspace held and mean nothing.
bool decodeAttentionSupports(int headDim, int groups);
int64_t decodeAttentionWorkspaceFloats(int numKvHeads, int groups, int headDim, int splits);
cudaError_t launchDecodeAttention(ElementType type, const DecodeToken& token, void* out, float* rowMax, float* rowSum,
                                  float* workspace, int numHeads, int numKvHeads, int headDim, int splits,
                                  const Launch& launch);

// Attention capture (docs/attention-maps.md) after a decode step: the probabilities that the step's query
// row gave each image key, for every layer and head, from queries [layers, H * Dh] (rotated, unscaled) and the
// decode attention kernel's rowMax / rowSum [layers, H] (the whole row's statistics), reading only the image
// keys of the cache. The capture table (int64 on the device, attentionCaptureTableEntries() entries) says
// where: [0] the output (float*; 0: write nothing), [1] the query position of output row 0, [2] the output's
// rows, [3] the number of spans n (at most attentionCaptureMaxSpans()), then n pairs (first key position,
// key count). Output row r (the query at position [1] + r; rows outside [0, [2]) are not written) is
// [layers][perHead ? H : 1][patches] float32, patches = the spans' keys in span order; without perHead each
// value is the mean over the H heads. blocks: the grid (a loop over layers x 32-key chunks covers any size).
int attentionCaptureMaxSpans();
int attentionCaptureTableEntries();
int attentionCaptureMaxHeads();
int attentionCaptureMaxKvHeads();
// The head counts within those limits, and a head size and query group the decode attention supports.
bool attentionCaptureSupports(int headDim, int numHeads, int numKvHeads);
cudaError_t launchImageAttentionCapture(ElementType type, const void* queries, const float* rowMax, const float* rowSum,
                                        const int64_t* cacheTable, const int64_t* position,
                                        const int64_t* captureTable, int numLayers, int numHeads, int numKvHeads,
                                        int headDim, bool perHead, int blocks, const Launch& launch);

} // namespace vora::core::cuda
