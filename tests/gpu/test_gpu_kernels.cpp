// The decode kernels (core/cuda/decode_kernels.h) on fresh random inputs against references computed in
// float64 (attention, matrix-vector product) or against the eager LibTorch ops they replace (norm, RoPE,
// SwiGLU: the same rounding points, so float32 results must be identical). Outputs are poisoned with NaN
// first, so an element a kernel never writes fails the check; cache rows past the length are NaN too, so a
// read past the length poisons the result.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/torch_interop.h"
#include "gpu_check.h"

#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>

using namespace vora::core;

namespace {

using cuda::currentStream;
using cuda::elementTypeOf;

at::Tensor randomOn(std::vector<int64_t> shape, c10::ScalarType type, double scale = 1.0)
{
    return (at::randn(shape, at::TensorOptions().device(at::kCUDA).dtype(at::kFloat)) * scale).to(type);
}

at::Tensor poisoned(std::vector<int64_t> shape, c10::ScalarType type)
{
    return at::full(shape, std::nanf(""), at::TensorOptions().device(at::kCUDA).dtype(type));
}

double relativeError(const at::Tensor& got, const at::Tensor& reference)
{
    const at::Tensor g = got.to(at::kDouble).cpu();
    const at::Tensor r = reference.to(at::kDouble).cpu();
    if (!at::isfinite(g).all().item<bool>()) {
        return INFINITY;
    }
    return ((g - r).norm() / r.norm().clamp_min(1e-30)).item<double>();
}

std::string describe(c10::ScalarType type, int64_t a, int64_t b, int64_t c)
{
    return std::string(c10::toString(type)) + " " + std::to_string(a) + "/" + std::to_string(b) + "/" + std::to_string(c);
}

// RoPE tables of `rows` positions at random angles, rotate-half layout, in the element type.
std::pair<at::Tensor, at::Tensor> ropeTables(int64_t rows, int headDim, c10::ScalarType type)
{
    const at::Tensor angles = at::rand({rows, headDim / 2}, at::TensorOptions().device(at::kCUDA)) * 6.28;
    return {at::cat({angles.cos(), angles.cos()}, 1).to(type).contiguous(),
            at::cat({angles.sin(), angles.sin()}, 1).to(type).contiguous()};
}

// Eager RoPE of heads x [n, Dh] at one position: x * cos + rotate_half(x) * sin, each op rounded to x's type.
at::Tensor eagerRope(const at::Tensor& x, const at::Tensor& cosRow, const at::Tensor& sinRow)
{
    const int64_t half = x.size(1) / 2;
    const at::Tensor rotated = at::cat({-x.narrow(1, half, half), x.narrow(1, 0, half)}, 1);
    return x * cosRow + rotated * sinRow;
}

// The decode attention of one token from its unrotated q, k, v heads: its RoPE and cache write against the
// eager ops (the same bits), and its attention output and row statistics against float64 over the cache
// with its own row. The cache is NaN everywhere but the random rows below the position, so a read past
// the position or of the position's stale row poisons the result.
void decodeAttentionMatchesFloat64()
{
    const int layers = 2;
    const int layer = 1;
    const int splits = 48;
    int compared = 0;
    for (c10::ScalarType type : {at::kFloat, at::kBFloat16}) {
        for (int headDim : {16, 64, 128}) {
            for (auto [heads, kvHeads] : std::vector<std::pair<int, int>>{{4, 4}, {4, 2}, {28, 4}, {32, 4}, {32, 2}}) {
                // 1921 over 48 slices leaves the last slice it uses empty (41 keys each). Up to 1536 keys (48
                // slices of one 32-key tile) the position is in its slice's first tile, requested before the
                // wait; at 1921, 4097 and 9000 in a later tile of its slice.
                for (int64_t length : {1, 2, 31, 32, 33, 127, 129, 1000, 1921, 4097, 9000}) {
                    const int64_t capacity = length + 7;
                    const int64_t position = length - 1;
                    std::vector<at::Tensor> storage;
                    std::vector<int64_t> table;
                    for (int i = 0; i < 2 * layers; ++i) {
                        at::Tensor s = poisoned({kvHeads, capacity, headDim}, type);
                        s.narrow(1, 0, position).copy_(randomOn({kvHeads, position, headDim}, type));
                        table.push_back(reinterpret_cast<int64_t>(s.data_ptr()));
                        storage.push_back(s);
                    }
                    table.push_back(capacity);
                    const at::Tensor tableOnDevice = at::tensor(table, at::TensorOptions().dtype(at::kLong)).cuda();
                    const at::Tensor positionOnDevice =
                        at::full({1}, position, at::TensorOptions().dtype(at::kLong).device(at::kCUDA));
                    const auto tables = ropeTables(capacity, headDim, type);
                    const at::Tensor& cos = tables.first;
                    const at::Tensor& sin = tables.second;
                    const at::Tensor qkv = randomOn({heads + 2 * kvHeads, headDim}, type);
                    at::Tensor q = poisoned({heads, headDim}, type);
                    at::Tensor out = poisoned({heads, headDim}, type);
                    at::Tensor rowMax = poisoned({heads}, at::kFloat);
                    at::Tensor rowSum = poisoned({heads}, at::kFloat);
                    const int groups = heads / kvHeads;
                    at::Tensor workspace = poisoned({cuda::decodeAttentionWorkspaceFloats(kvHeads, groups, headDim, splits)}, at::kFloat);
                    const cuda::DecodeToken token{qkv.data_ptr(), cos.data_ptr(), sin.data_ptr(), positionOnDevice.data_ptr<int64_t>(),
                                                  tableOnDevice.data_ptr<int64_t>(), layer, layers, q.data_ptr()};
                    const cudaError_t status =
                        cuda::launchDecodeAttention(elementTypeOf(type), token, out.data_ptr(), rowMax.data_ptr<float>(),
                                                    rowSum.data_ptr<float>(), workspace.data_ptr<float>(), heads, kvHeads,
                                                    headDim, splits, currentStream());
                    GPU_CHECK(status == cudaSuccess, cudaGetErrorString(status));
                    GPU_CHECK(cudaStreamSynchronize(currentStream()) == cudaSuccess, "kernel failed");
                    const std::string what = describe(type, headDim, heads * 1000 + kvHeads, length);

                    // RoPE and the cache write: the eager ops' bits; nothing else of the cache touched.
                    const at::Tensor rotated = eagerRope(qkv.narrow(0, 0, heads + kvHeads), cos[position], sin[position]);
                    GPU_CHECK(at::equal(q, rotated.narrow(0, 0, heads)), what + ": rotated q differs from eager RoPE");
                    GPU_CHECK(at::equal(storage[2 * layer].select(1, position), rotated.narrow(0, heads, kvHeads)),
                              what + ": cached key differs from eager RoPE");
                    GPU_CHECK(at::equal(storage[2 * layer + 1].select(1, position), qkv.narrow(0, heads + kvHeads, kvHeads)),
                              what + ": cached value differs from v");
                    for (int i = 0; i < 2 * layers; ++i) {
                        GPU_CHECK(at::isnan(storage[i].narrow(1, length, capacity - length)).all().item<bool>(),
                                  what + ": a cache row past the position was written");
                        if (i / 2 != layer) {
                            GPU_CHECK(at::isnan(storage[i].select(1, position)).all().item<bool>(),
                                      what + ": another layer's cache row was written");
                        }
                    }

                    // float64 reference on the CPU, from the rotated q and the cache with the token's row.
                    const at::Tensor keys = storage[2 * layer].narrow(1, 0, length).to(at::kDouble).cpu();
                    const at::Tensor values = storage[2 * layer + 1].narrow(1, 0, length).to(at::kDouble).cpu();
                    const at::Tensor q64 = q.to(at::kDouble).cpu().view({kvHeads, groups, headDim});
                    const at::Tensor scores = at::matmul(q64, keys.transpose(1, 2)) / std::sqrt(double(headDim)); // [KvH, G, L]
                    const at::Tensor maxima = std::get<0>(scores.max(-1, true));
                    const at::Tensor weights = (scores - maxima).exp();
                    const at::Tensor sums = weights.sum(-1, true);
                    const at::Tensor reference = at::matmul(weights / sums, values).reshape({heads, headDim});
                    const double tolerance = type == at::kFloat ? 1e-5 : 1e-2;
                    GPU_CHECK(relativeError(out, reference) < tolerance,
                              what + ": output error " + std::to_string(relativeError(out, reference)));
                    // The row statistics give the probabilities back (the hook for attention maps).
                    const at::Tensor probabilities =
                        (scores - rowMax.to(at::kDouble).cpu().view({kvHeads, groups, 1})).exp()
                        / rowSum.to(at::kDouble).cpu().view({kvHeads, groups, 1});
                    GPU_CHECK(relativeError(probabilities, weights / sums) < 1e-4,
                              what + ": probabilities from rowMax/rowSum off by "
                                  + std::to_string(relativeError(probabilities, weights / sums)));
                    ++compared;
                }
            }
        }
    }
    std::printf("  decode attention: %d configurations\n", compared);
    GPU_CHECK(compared == 2 * 3 * 5 * 11, "configuration count");
}

void gemvMatchesFloat64()
{
    int compared = 0;
    int variantsCompared = 0;
    for (c10::ScalarType type : {at::kFloat, at::kBFloat16, at::kHalf}) {
        for (auto [n, k] : std::vector<std::pair<int, int>>{{1, 8}, {7, 64}, {96, 64}, {4608, 3584}, {3584, 18944},
                                                             {1000, 2056}, {37888, 3584}}) {
            for (bool withBias : {false, true}) {
                const at::Tensor w = randomOn({n, k}, type, 0.05);
                const at::Tensor x = randomOn({k}, type);
                const at::Tensor bias = withBias ? randomOn({n}, type) : at::Tensor();
                at::Tensor y = poisoned({n}, type);
                GPU_CHECK(cuda::gemvFits(elementTypeOf(type), w.data_ptr(), x.data_ptr(), k), "gemv fits");
                const cudaError_t status = cuda::launchGemv(elementTypeOf(type), w.data_ptr(), x.data_ptr(),
                                                            withBias ? bias.data_ptr() : nullptr, y.data_ptr(), n, k, currentStream());
                GPU_CHECK(status == cudaSuccess, cudaGetErrorString(status));
                at::Tensor reference = at::matmul(w.to(at::kDouble).cpu(), x.to(at::kDouble).cpu());
                if (withBias) {
                    reference = reference + bias.to(at::kDouble).cpu();
                }
                const double tolerance = type == at::kFloat ? 1e-6 : 1e-2;
                GPU_CHECK(relativeError(y, reference) < tolerance,
                          describe(type, n, k, withBias) + ": error " + std::to_string(relativeError(y, reference)));
                ++compared;
                // Every variant of a kind (splitting k or not), serial or overlapped, adds in the same order: the
                // same bits as the kind's first launch, which is checked against float64 too.
                at::Tensor firstOfKind[2] = {y, at::Tensor()};
                for (int variant = 1; variant < cuda::gemvVariantCount(); ++variant) {
                    const int kind = cuda::gemvVariantSplitsK(variant) ? 1 : 0;
                    for (bool overlap : {false, true}) {
                        at::Tensor other = poisoned({n}, type);
                        GPU_CHECK(cuda::launchGemv(elementTypeOf(type), w.data_ptr(), x.data_ptr(),
                                                   withBias ? bias.data_ptr() : nullptr, other.data_ptr(), n, k,
                                                   cuda::Launch(currentStream(), overlap), variant)
                                      == cudaSuccess,
                                  "gemv variant launch");
                        if (!firstOfKind[kind].defined()) {
                            GPU_CHECK(relativeError(other, reference) < tolerance,
                                      describe(type, n, k, withBias) + ": variant " + cuda::gemvVariantName(variant)
                                          + " error " + std::to_string(relativeError(other, reference)));
                            firstOfKind[kind] = other;
                            ++compared;
                            continue;
                        }
                        GPU_CHECK(at::equal(other, firstOfKind[kind]),
                                  describe(type, n, k, withBias) + ": variant " + cuda::gemvVariantName(variant)
                                      + " differs from the first of its kind");
                        ++variantsCompared;
                    }
                }
            }
        }
    }
    int splitting = 0;
    for (int variant = 0; variant < cuda::gemvVariantCount(); ++variant) {
        splitting += cuda::gemvVariantSplitsK(variant) ? 1 : 0;
    }
    GPU_CHECK(splitting >= 1 && !cuda::gemvVariantSplitsK(0), "variant kinds");
    // Per configuration: variant 0 and the first k-splitting launch against float64, every other launch
    // (2 per variant) bit-compared with the first of its kind.
    GPU_CHECK(compared == 3 * 7 * 2 * 2, "gemv configuration count");
    GPU_CHECK(variantsCompared == 3 * 7 * 2 * ((cuda::gemvVariantCount() - 1) * 2 - 1), "gemv variant count");
    std::printf("  gemv: %d configurations against float64, %d variant outputs bit-compared\n", compared,
                variantsCompared);
}

// The gated product (gate and up rows with SwiGLU in one kernel) against the plain product of the same
// variant into a [2n] buffer followed by the SwiGLU kernel: the same bits, for every variant that gates,
// serial and overlapped; variants that do not gate are refused.
void gatedGemvMatchesGemvThenSwiGlu()
{
    int compared = 0;
    int gating = 0;
    for (int variant = 0; variant < cuda::gemvVariantCount(); ++variant) {
        gating += cuda::gemvVariantGates(variant) ? 1 : 0;
    }
    for (c10::ScalarType type : {at::kFloat, at::kBFloat16, at::kHalf}) {
        const auto e = elementTypeOf(type);
        // (outputs, k): Qwen2.5-7B's MLP, outputs that fill no whole block, tiny ones.
        for (auto [n, k] : std::vector<std::pair<int, int>>{{18944, 3584}, {1001, 2056}, {7, 64}, {1, 8}}) {
            for (bool withBias : {false, true}) {
                const at::Tensor w = randomOn({2 * n, k}, type, 0.05);
                const at::Tensor x = randomOn({k}, type);
                const at::Tensor bias = withBias ? randomOn({2 * n}, type) : at::Tensor();
                const void* b = withBias ? bias.data_ptr() : nullptr;
                for (int variant = 0; variant < cuda::gemvVariantCount(); ++variant) {
                    at::Tensor gated = poisoned({n}, type);
                    if (!cuda::gemvVariantGates(variant)) {
                        GPU_CHECK(cuda::launchGatedGemv(e, w.data_ptr(), x.data_ptr(), b, gated.data_ptr(), n, k,
                                                        currentStream(), variant)
                                      == cudaErrorInvalidValue,
                                  std::string("variant ") + cuda::gemvVariantName(variant) + " does not gate: refused");
                        continue;
                    }
                    at::Tensor gateUp = poisoned({2 * n}, type);
                    at::Tensor expected = poisoned({n}, type);
                    GPU_CHECK(cuda::launchGemv(e, w.data_ptr(), x.data_ptr(), b, gateUp.data_ptr(), 2 * n, k, currentStream(),
                                               variant)
                                      == cudaSuccess
                                  && cuda::launchSwiGlu(e, gateUp.data_ptr(), expected.data_ptr(), n, currentStream())
                                      == cudaSuccess,
                              "plain product and swiglu launches");
                    for (bool overlap : {false, true}) {
                        gated.fill_(std::nanf(""));
                        GPU_CHECK(cuda::launchGatedGemv(e, w.data_ptr(), x.data_ptr(), b, gated.data_ptr(), n, k,
                                                        cuda::Launch(currentStream(), overlap), variant)
                                      == cudaSuccess,
                                  "gated gemv launch");
                        GPU_CHECK(at::equal(gated, expected),
                                  describe(type, n, k, withBias) + ": gated variant " + cuda::gemvVariantName(variant)
                                      + " differs from the product then SwiGLU");
                        ++compared;
                    }
                }
            }
        }
    }
    GPU_CHECK(gating >= 4, "variants that gate");
    GPU_CHECK(compared == 3 * 4 * 2 * gating * 2, "gated configurations compared");
    std::printf("  gated gemv: %d outputs bit-compared over %d variants\n", compared, gating);
}

// One decode layer's kernel chain at VoRA-7B shapes (bf16), twice over, with real data dependencies between
// the kernels: launched serially, overlapped (each kernel may start while the previous one ends), and
// overlapped inside a captured CUDA graph. A kernel that read its input before waitForPrerequisites()
// would see the previous layer's values and change the bits.
void overlappedLaunchesGiveTheSameBits()
{
    const auto type = at::kBFloat16;
    const int d = 3584, intermediate = 18944, heads = 28, kvHeads = 4, headDim = 128, layers = 2, capacity = 1024;
    const int qkvWidth = (heads + 2 * kvHeads) * headDim;
    struct Layer {
        at::Tensor norm1, qkv, o, norm2, gateUp, down, keys, values;
    };
    std::vector<Layer> weights;
    std::vector<int64_t> tableEntries;
    for (int l = 0; l < layers; ++l) {
        Layer layer{randomOn({d}, type), randomOn({qkvWidth, d}, type, 0.02), randomOn({d, heads * headDim}, type, 0.02),
                    randomOn({d}, type), randomOn({2 * intermediate, d}, type, 0.02), randomOn({d, intermediate}, type, 0.02),
                    randomOn({kvHeads, capacity, headDim}, type), randomOn({kvHeads, capacity, headDim}, type)};
        tableEntries.push_back(reinterpret_cast<int64_t>(layer.keys.data_ptr()));
        tableEntries.push_back(reinterpret_cast<int64_t>(layer.values.data_ptr()));
        weights.push_back(std::move(layer));
    }
    tableEntries.push_back(capacity);
    const at::Tensor table = at::tensor(tableEntries, at::TensorOptions().dtype(at::kLong)).cuda();
    const at::Tensor position = at::full({1}, 700, at::TensorOptions().dtype(at::kLong).device(at::kCUDA));
    const auto tables = ropeTables(capacity, headDim, type);
    const at::Tensor& cos = tables.first;
    const at::Tensor& sin = tables.second;
    const at::Tensor start = randomOn({d}, type);
    const auto f32 = at::TensorOptions().device(at::kCUDA).dtype(at::kFloat);
    const int splits = 64;
    struct Buffers {
        at::Tensor residual, normed, qkv, q, attended, delta, activated, rowMax, rowSum, workspace;
    };
    auto buffersFor = [&] {
        return Buffers{start.clone(), poisoned({d}, type), poisoned({qkvWidth}, type), poisoned({heads * headDim}, type),
                       poisoned({heads * headDim}, type), at::zeros({d}, start.options()), poisoned({intermediate}, type),
                       at::empty({layers, heads}, f32), at::empty({layers, heads}, f32),
                       at::empty({cuda::decodeAttentionWorkspaceFloats(kvHeads, heads / kvHeads, headDim, splits)}, f32)};
    };
    const auto e = cuda::ElementType::BFloat16;
    GPU_CHECK(cuda::gemvVariantSplitsK(6) && cuda::gemvVariantSplitsK(7) && !cuda::gemvVariantSplitsK(1)
                  && cuda::gemvVariantGates(1),
              "the chain's variants: k split for o_proj and down_proj, gate_up_proj gated");
    auto chain = [&](Buffers& b, bool overlap) {
        const cuda::Launch launch(currentStream(), overlap);
        auto ok = [](cudaError_t status) { GPU_CHECK(status == cudaSuccess, cudaGetErrorString(status)); };
        for (int l = 0; l < layers; ++l) {
            const Layer& w = weights[static_cast<size_t>(l)];
            ok(cuda::launchAddRmsNorm(e, b.residual.data_ptr(), l == 0 ? nullptr : b.delta.data_ptr(), w.norm1.data_ptr(),
                                      b.normed.data_ptr(), d, 1e-6f, launch));
            ok(cuda::launchGemv(e, w.qkv.data_ptr(), b.normed.data_ptr(), nullptr, b.qkv.data_ptr(), qkvWidth, d, launch));
            const cuda::DecodeToken token{b.qkv.data_ptr(), cos.data_ptr(), sin.data_ptr(), position.data_ptr<int64_t>(),
                                          table.data_ptr<int64_t>(), l, layers, b.q.data_ptr()};
            ok(cuda::launchDecodeAttention(e, token, b.attended.data_ptr(), b.rowMax[l].data_ptr<float>(),
                                           b.rowSum[l].data_ptr<float>(), b.workspace.data_ptr<float>(), heads, kvHeads,
                                           headDim, splits, launch));
            ok(cuda::launchGemv(e, w.o.data_ptr(), b.attended.data_ptr(), nullptr, b.delta.data_ptr(), d, heads * headDim,
                                launch, 6)); // k split over the block's warps
            ok(cuda::launchAddRmsNorm(e, b.residual.data_ptr(), b.delta.data_ptr(), w.norm2.data_ptr(),
                                      b.normed.data_ptr(), d, 1e-6f, launch));
            ok(cuda::launchGatedGemv(e, w.gateUp.data_ptr(), b.normed.data_ptr(), nullptr, b.activated.data_ptr(),
                                     intermediate, d, launch, 1));
            ok(cuda::launchGemv(e, w.down.data_ptr(), b.activated.data_ptr(), nullptr, b.delta.data_ptr(), d,
                                intermediate, launch, 7)); // k split too
        }
        ok(cuda::launchAddRmsNorm(e, b.residual.data_ptr(), b.delta.data_ptr(), weights[0].norm1.data_ptr(),
                                  b.normed.data_ptr(), d, 1e-6f, launch));
    };
    // The cache row at `position` is rewritten with the same values by every run.
    Buffers serial = buffersFor();
    chain(serial, false);
    Buffers overlapped = buffersFor();
    chain(overlapped, true);
    Buffers graphed = buffersFor();
    torch::cuda::synchronize(); // the buffers were filled on the default stream; the graph runs on another
    {
        at::cuda::CUDAGraph graph;
        const at::cuda::CUDAStreamGuard guard(at::cuda::getStreamFromPool());
        Buffers warm = buffersFor();
        chain(warm, true);
        graph.capture_begin();
        chain(graphed, true);
        graph.capture_end();
        graph.replay();
        at::cuda::getCurrentCUDAStream().synchronize();
    }
    GPU_CHECK(at::isfinite(serial.normed).all().item<bool>(), "serial chain gave non-finite values");
    int compared = 0;
    for (const Buffers* other : {&overlapped, &graphed}) {
        const std::string which = other == &overlapped ? "overlapped" : "overlapped in a graph";
        GPU_CHECK(at::equal(other->normed, serial.normed), which + ": final norm differs from the serial chain");
        GPU_CHECK(at::equal(other->residual, serial.residual), which + ": residual differs");
        GPU_CHECK(at::equal(other->rowMax, serial.rowMax) && at::equal(other->rowSum, serial.rowSum),
                  which + ": attention row statistics differ");
        ++compared;
    }
    GPU_CHECK(compared == 2, "chains compared");
}

void elementwiseKernelsMatchEagerOps()
{
    int norms = 0;
    int ropes = 0;
    int swiGlus = 0;
    for (c10::ScalarType type : {at::kFloat, at::kBFloat16}) {
        const bool exact = type == at::kFloat;
        // One row (a decode step) and three (a prefill chunk, core/cuda/chunk_prefill.h).
        for (const int rows : {1, 3}) {
            const std::string shape = std::string(c10::toString(type)) + ", " + std::to_string(rows) + " rows";
            // SwiGLU: at::silu(gate) * up, per row; 16-byte vectors (18944, Qwen2.5-7B) and one element per
            // thread (a row length that is no whole number of vectors).
            for (const int intermediate : {18944, 18945}) {
                const at::Tensor gateUp = randomOn({rows, 2 * intermediate}, type, 3.0);
                at::Tensor activated = poisoned({rows, intermediate}, type);
                GPU_CHECK(cuda::launchSwiGlu(elementTypeOf(type), gateUp.data_ptr(), activated.data_ptr(), intermediate,
                                             currentStream(), rows)
                              == cudaSuccess,
                          "swiglu launch");
                const at::Tensor eagerSwiGlu = at::silu(gateUp.narrow(1, 0, intermediate)) * gateUp.narrow(1, intermediate, intermediate);
                GPU_CHECK(exact ? at::equal(activated, eagerSwiGlu) : relativeError(activated, eagerSwiGlu) < 1e-2,
                          shape + ": swiglu differs from at::silu * up (" + std::to_string(intermediate) + ")");
                ++swiGlus;
            }

            // RoPE + cache write: x * cos + rotate_half(x) * sin at positions 37, 38, ... of a table; 16-byte
            // vectors (head size 128) and one element per thread (36: half a head is no whole vector).
            for (const int headDim : {128, 36}) {
                const int heads = 28, kvHeads = 4, capacity = 64, positions = 100, first = 37;
                const at::Tensor qkv = randomOn({rows, (heads + 2 * kvHeads) * headDim}, type);
                const auto tables = ropeTables(positions, headDim, type);
                const at::Tensor& cos = tables.first;
                const at::Tensor& sin = tables.second;
                at::Tensor keys = poisoned({kvHeads, capacity, headDim}, type);
                at::Tensor values = poisoned({kvHeads, capacity, headDim}, type);
                const at::Tensor table = at::tensor(std::vector<int64_t>{reinterpret_cast<int64_t>(keys.data_ptr()),
                                                                         reinterpret_cast<int64_t>(values.data_ptr()), capacity},
                                                    at::TensorOptions().dtype(at::kLong)).cuda();
                const at::Tensor position = at::full({1}, first, at::TensorOptions().dtype(at::kLong).device(at::kCUDA));
                at::Tensor q = poisoned({rows, heads * headDim}, type);
                GPU_CHECK(cuda::launchRopeStore(elementTypeOf(type), qkv.data_ptr(), cos.data_ptr(), sin.data_ptr(),
                                                position.data_ptr<int64_t>(), table.data_ptr<int64_t>(), 0, 1, q.data_ptr(),
                                                heads, kvHeads, headDim, currentStream(), rows)
                              == cudaSuccess,
                          "rope launch");
                for (int r = 0; r < rows; ++r) {
                    const at::Tensor heads3 = qkv[r].view({heads + 2 * kvHeads, headDim});
                    const at::Tensor rotated = eagerRope(heads3.narrow(0, 0, heads + kvHeads), cos[first + r], sin[first + r]);
                    const std::string row = shape + ", head size " + std::to_string(headDim) + ", row " + std::to_string(r);
                    GPU_CHECK(at::equal(q[r].view({heads, headDim}), rotated.narrow(0, 0, heads)), row + ": rope q differs from eager");
                    GPU_CHECK(at::equal(keys.select(1, first + r), rotated.narrow(0, heads, kvHeads)),
                              row + ": rope k differs from eager");
                    GPU_CHECK(at::equal(values.select(1, first + r), heads3.narrow(0, heads + kvHeads, kvHeads)),
                              row + ": v row not stored");
                    ++ropes;
                }
                GPU_CHECK(at::isnan(keys.narrow(1, 0, first)).all().item<bool>()
                              && at::isnan(keys.narrow(1, first + rows, capacity - first - rows)).all().item<bool>()
                              && at::isnan(values.narrow(1, 0, first)).all().item<bool>()
                              && at::isnan(values.narrow(1, first + rows, capacity - first - rows)).all().item<bool>(),
                          shape + ": rope wrote outside its rows");
            }

            // Residual add + RMSNorm, HF's op order, at sizes the launcher gives 1, 2 and 4 16-byte vectors per
            // thread (Qwen2.5 0.5B and 7B, 14B; bf16 and float32 differ) and 8 or 32 single elements (1001: no
            // whole number of vectors; the largest allowed, float32).
            for (const int d : {896, 1001, 3584, 5120, cuda::addRmsNormMaxSize()}) {
                at::Tensor residual = randomOn({rows, d}, type);
                const at::Tensor delta = randomOn({rows, d}, type);
                const at::Tensor weight = randomOn({d}, type);
                const at::Tensor expectedResidual = residual + delta;
                const at::Tensor h = expectedResidual.to(at::kFloat);
                const at::Tensor eagerNorm = weight * (h * at::rsqrt(h.pow(2).mean(-1, true) + 1e-6)).to(type);
                at::Tensor normed = poisoned({rows, d}, type);
                GPU_CHECK(cuda::launchAddRmsNorm(elementTypeOf(type), residual.data_ptr(), delta.data_ptr(),
                                                 weight.data_ptr(), normed.data_ptr(), d, 1e-6f, currentStream(), rows)
                              == cudaSuccess,
                          "norm launch");
                const std::string size = " (" + shape + ", " + std::to_string(d) + ")";
                GPU_CHECK(at::equal(residual, expectedResidual), "residual add differs from eager" + size);
                // The mean's summation order differs: float32 within a few ulps, bf16 within one rounding step.
                GPU_CHECK(relativeError(normed, eagerNorm) < (exact ? 1e-6 : 1e-2), "rms norm differs from eager" + size);
                ++norms;
            }
        }
    }
    GPU_CHECK(norms == 2 * 2 * 5, "norm configurations compared");
    GPU_CHECK(ropes == 2 * 2 * (1 + 3), "rope rows compared");
    GPU_CHECK(swiGlus == 2 * 2 * 2, "swiglu configurations compared");
}

} // namespace

int main()
{
    return gpu_check::runGpuCases("test_gpu_kernels", {
                                                          {"decodeAttentionMatchesFloat64", decodeAttentionMatchesFloat64},
                                                          {"gemvMatchesFloat64", gemvMatchesFloat64},
                                                          {"gatedGemvMatchesGemvThenSwiGlu", gatedGemvMatchesGemvThenSwiGlu},
                                                          {"elementwiseKernelsMatchEagerOps", elementwiseKernelsMatchEagerOps},
                                                          {"overlappedLaunchesGiveTheSameBits", overlappedLaunchesGiveTheSameBits},
                                                      });
}
