// Not a test: times the decode step's pieces on the GPU for VoRA-7B shapes (bf16, batch 1) and prints a
// table: measured copy bandwidth (bytes read + written), each projection's matrix-vector product with
// cuBLAS (at::mm, what at::linear runs) and with core/cuda/gemv.cu as a share of that bandwidth, the
// decode attention kernel at several cache lengths, and the whole step's projections added up.
// Inputs rotate over copies that together exceed the L2 cache; times are medians of CUDA-event timings.
// Each projection is also timed the way the decode step runs it: every variant of the own kernel, 28
// launches in one CUDA graph, serial and with overlapped launches (core/cuda/launch.cuh). Last, the whole
// step's kernel chain in one graph with each projection's fastest variant: the kernels' share of the floor,
// and the same chain with each kind of kernel left out, which says what that kind adds to a token.
#include "core/cuda/decode_kernels.h"
#include "core/cuda/torch_interop.h"

#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

using namespace vora::core;

namespace {

using cuda::currentStream;

// VORA_BENCH_QUICK=1: one untimed and one timed run of everything, for a pass under compute-sanitizer
// (packaging/device-steps/memcheck.sh); the times then mean little.
bool quickPass()
{
    static const bool quick = std::getenv("VORA_BENCH_QUICK") && std::string(std::getenv("VORA_BENCH_QUICK")) == "1";
    return quick;
}

// VORA_BENCH_SECTIONS=a,b: only those of projections, attention, capture, small, step (default: all).
// Without projections, every projection takes the first variant that splits k.
bool wanted(const char* section)
{
    const char* list = std::getenv("VORA_BENCH_SECTIONS");
    return !list || ("," + std::string(list) + ",").find("," + std::string(section) + ",") != std::string::npos;
}

// Median milliseconds of `repeat` timed runs of work(i) after `warm` untimed ones.
double medianMs(const std::function<void(int)>& work, int warm = 5, int repeat = 30)
{
    if (quickPass()) {
        warm = std::min(warm, 1);
        repeat = 1;
    }
    for (int i = 0; i < warm; ++i) {
        work(i);
    }
    std::vector<double> times;
    for (int i = 0; i < repeat; ++i) {
        at::cuda::CUDAEvent begin(cudaEventDefault);
        at::cuda::CUDAEvent end(cudaEventDefault);
        begin.record();
        work(warm + i);
        end.record();
        end.synchronize();
        times.push_back(begin.elapsed_time(end));
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Median milliseconds of one replay of a graph of what work() launches (captured on a side stream).
double graphMs(const std::function<void()>& work)
{
    // The inputs were made on the default stream, which the pool stream below does not wait for: without
    // this, the first (uncaptured) run could read a cache table whose copy had not landed yet.
    torch::cuda::synchronize();
    at::cuda::CUDAGraph graph;
    {
        const at::cuda::CUDAStreamGuard guard(at::cuda::getStreamFromPool());
        work();
        graph.capture_begin();
        work();
        graph.capture_end();
    }
    return medianMs([&](int) { graph.replay(); });
}

struct Shape {
    const char* name;
    int64_t n, k;
    int perStep; // how many of these one decode step reads
};

// The section running, named when a CUDA error stops the bench (errors surface at the next synchronize).
const char* runningSection = "setup";

int bench()
{
    if (!torch::cuda::is_available()) {
        std::printf("bench_decode_kernels: no CUDA device\n");
        return 77;
    }
    const c10::InferenceMode inference;
    const auto* properties = at::cuda::getCurrentDeviceProperties();
    std::printf("device: %s, %d SMs, L2 %d MB\n", properties->name, properties->multiProcessorCount,
                properties->l2CacheSize >> 20);
    const auto bf16 = at::TensorOptions().device(at::kCUDA).dtype(at::kBFloat16);

    runningSection = "copy bandwidth and projections";
    const int64_t copyBytes = int64_t(2) << 30;
    const at::Tensor source = at::rand({copyBytes / 2}, bf16);
    at::Tensor target = at::empty_like(source);
    const double copyMs = medianMs([&](int) { target.copy_(source); }, 3, 10);
    const double bandwidth = 2.0 * copyBytes / (copyMs * 1e-3); // bytes per second, read + write
    std::printf("copy bandwidth: %.0f GB/s (2 GiB device-to-device, read + write)\n\n", bandwidth / 1e9);

    const std::vector<Shape> shapes = {{"qkv_proj", 4608, 3584, 28}, {"o_proj", 3584, 3584, 28},
                                       {"gate_up_proj", 37888, 3584, 28}, {"down_proj", 3584, 18944, 28},
                                       {"lm_head", 152064, 3584, 1}};
    std::printf("%-14s %8s %8s | %9s %7s | %9s %7s\n", "projection", "n", "k", "cublas us", "% bw", "vora us", "% bw");
    std::map<std::string, int> best; // the fastest variant of each projection, overlapped in a graph
    double stepCublas = 0;
    double stepVora = 0;
    double stepBytes = 0;
    for (const Shape& s : shapes) {
        const int64_t bytes = s.n * s.k * 2;
        if (!wanted("projections")) {
            for (int variant = 0; variant < cuda::gemvVariantCount() && !best.count(s.name); ++variant) {
                if (cuda::gemvVariantSplitsK(variant)) {
                    best[s.name] = variant;
                }
            }
            stepBytes += double(s.perStep) * bytes;
            continue;
        }
        const int copies = static_cast<int>(std::max<int64_t>(2, (int64_t(400) << 20) / bytes));
        std::vector<at::Tensor> weights;
        for (int i = 0; i < copies; ++i) {
            weights.push_back(at::randn({s.n, s.k}, bf16) * 0.02);
        }
        const at::Tensor x = at::randn({1, s.k}, bf16);
        at::Tensor y = at::empty({1, s.n}, bf16);
        const double cublas = medianMs([&](int i) { at::mm_out(y, x, weights[i % copies].t()); });
        const double own = medianMs([&](int i) {
            cuda::launchGemv(cuda::ElementType::BFloat16, weights[i % copies].data_ptr(), x.data_ptr(), nullptr,
                             y.data_ptr(), static_cast<int>(s.n), static_cast<int>(s.k), currentStream());
        });
        const double floorMs = bytes / bandwidth * 1e3;
        std::printf("%-14s %8lld %8lld | %9.1f %6.1f%% | %9.1f %6.1f%%\n", s.name, static_cast<long long>(s.n),
                    static_cast<long long>(s.k), cublas * 1e3, 100 * floorMs / cublas, own * 1e3, 100 * floorMs / own);
        // As the decode step runs them: 28 launches back to back in one CUDA graph, each variant, with and
        // without overlapped launches; the time per launch.
        // gate_up_proj runs with SwiGLU joined to it (launchGatedGemv): its variants are timed that way.
        const bool gated = std::string(s.name) == "gate_up_proj";
        double fastest = 0;
        for (int variant = 0; variant < cuda::gemvVariantCount(); ++variant) {
            if (gated && !cuda::gemvVariantGates(variant)) {
                continue;
            }
            std::printf("    in a graph, %-17s%s", cuda::gemvVariantName(variant), gated ? " + SwiGLU" : "");
            for (bool overlap : {false, true}) {
                const int launches = 28;
                at::cuda::CUDAGraph graph;
                {
                    const at::cuda::CUDAStreamGuard guard(at::cuda::getStreamFromPool());
                    auto launchAll = [&] {
                        for (int i = 0; i < launches; ++i) {
                            const cuda::Launch launch(currentStream(), overlap);
                            const auto n = static_cast<int>(s.n);
                            const auto k = static_cast<int>(s.k);
                            const void* w = weights[i % copies].data_ptr();
                            if (gated) {
                                cuda::launchGatedGemv(cuda::ElementType::BFloat16, w, x.data_ptr(), nullptr, y.data_ptr(),
                                                      n / 2, k, launch, variant);
                            } else {
                                cuda::launchGemv(cuda::ElementType::BFloat16, w, x.data_ptr(), nullptr, y.data_ptr(), n,
                                                 k, launch, variant);
                            }
                        }
                    };
                    launchAll();
                    graph.capture_begin();
                    launchAll();
                    graph.capture_end();
                }
                const double perLaunch = medianMs([&](int) { graph.replay(); }, 3, 15) / launches;
                std::printf(" | %s %6.1f us %6.1f%%", overlap ? "overlapped" : "serial", perLaunch * 1e3,
                            100 * floorMs / perLaunch);
                if (overlap && (fastest == 0 || perLaunch < fastest)) {
                    fastest = perLaunch;
                    best[s.name] = variant;
                }
            }
            std::printf("\n");
        }
        stepCublas += s.perStep * cublas;
        stepVora += s.perStep * own;
        stepBytes += double(s.perStep) * bytes;
    }
    if (wanted("projections")) {
        std::printf("%-14s %17s | %8.2fms %6.1f%% | %8.2fms %6.1f%%   (%.2f GB per step, floor %.2f ms)\n\n",
                    "step total", "", stepCublas, 100 * (stepBytes / bandwidth * 1e3) / stepCublas, stepVora,
                    100 * (stepBytes / bandwidth * 1e3) / stepVora, stepBytes / 1e9, stepBytes / bandwidth * 1e3);
    }

    // Decode attention, Qwen2.5-7B heads (28 query, 4 KV, Dh 128), one layer of a 28-layer cache table.
    runningSection = "decode attention";
    const int heads = 28, kvHeads = 4, headDim = 128, splits = std::clamp(2 * properties->multiProcessorCount / kvHeads, 1, 64);
    if (wanted("attention")) {
        std::printf("decode attention (28/4 heads, Dh 128, %d splits):\n", splits);
        for (int64_t length : {1088, 4096, 16384}) {
            const at::Tensor keys = at::randn({kvHeads, length, headDim}, bf16);
            const at::Tensor values = at::randn({kvHeads, length, headDim}, bf16);
            const std::vector<int64_t> entries = {reinterpret_cast<int64_t>(keys.data_ptr()),
                                                  reinterpret_cast<int64_t>(values.data_ptr()), length};
            const at::Tensor table = at::tensor(entries, at::TensorOptions().dtype(at::kLong)).cuda();
            const auto int64 = at::TensorOptions().dtype(at::kLong).device(at::kCUDA);
            const at::Tensor position = at::full({1}, length - 1, int64);
            const at::Tensor qkv = at::randn({(heads + 2 * kvHeads) * headDim}, bf16);
            const at::Tensor cos = at::rand({length, headDim}, bf16);
            const at::Tensor sin = at::rand({length, headDim}, bf16);
            at::Tensor q = at::empty({heads * headDim}, bf16);
            at::Tensor out = at::empty_like(q);
            const auto f32 = at::TensorOptions().device(at::kCUDA).dtype(at::kFloat);
            at::Tensor rowMax = at::empty({heads}, f32);
            at::Tensor rowSum = at::empty({heads}, f32);
            at::Tensor workspace =
                at::empty({cuda::decodeAttentionWorkspaceFloats(kvHeads, heads / kvHeads, headDim, splits)}, f32);
            const cuda::DecodeToken token{qkv.data_ptr(), cos.data_ptr(), sin.data_ptr(), position.data_ptr<int64_t>(),
                                          table.data_ptr<int64_t>(), 0, 1, q.data_ptr()};
            auto attend = [&](const cuda::Launch& launch) {
                cuda::launchDecodeAttention(cuda::ElementType::BFloat16, token, out.data_ptr(), rowMax.data_ptr<float>(),
                                            rowSum.data_ptr<float>(), workspace.data_ptr<float>(), heads, kvHeads,
                                            headDim, splits, launch);
            };
            const double ms = medianMs([&](int) { attend(currentStream()); });
            const double bytes = 2.0 * kvHeads * length * headDim * 2;
            std::printf("  length %6lld: %6.1f us alone (%.0f GB/s of K+V)", static_cast<long long>(length), ms * 1e3,
                        bytes / (ms * 1e-3) / 1e9);
            // As the step runs it: 28 layers' attention back to back in one graph, overlapped launches.
            auto layers = [&] {
                for (int l = 0; l < 28; ++l) {
                    attend(cuda::Launch(currentStream(), true));
                }
            };
            const double graphed = graphMs(layers);
            std::printf(" | x28 in a graph: %.3f ms per token (%.1f us per layer)\n", graphed, graphed / 28 * 1e3);
        }
    }

    // Attention capture (core/cuda/attention_capture.cu) after a step: 28 layers, 1024 image keys of a
    // 1088-key cache, in a graph, for each detail.
    runningSection = "attention capture";
    if (wanted("capture")) {
        const int layers = 28, imageKeys = 1024;
        const int64_t length = 1088;
        std::vector<at::Tensor> storage;
        std::vector<int64_t> entries;
        for (int l = 0; l < layers; ++l) {
            storage.push_back(at::randn({kvHeads, length, headDim}, bf16));
            entries.push_back(reinterpret_cast<int64_t>(storage.back().data_ptr()));
            entries.push_back(reinterpret_cast<int64_t>(storage.back().data_ptr()));
        }
        entries.push_back(length);
        const at::Tensor table = at::tensor(entries, at::TensorOptions().dtype(at::kLong)).cuda();
        const at::Tensor position = at::full({1}, length - 1, at::TensorOptions().dtype(at::kLong).device(at::kCUDA));
        const at::Tensor queries = at::randn({layers, heads * headDim}, bf16);
        const auto f32 = at::TensorOptions().device(at::kCUDA).dtype(at::kFloat);
        const at::Tensor rowMax = at::full({layers, heads}, 8.f, f32);
        const at::Tensor rowSum = at::full({layers, heads}, 100.f, f32);
        for (bool perHead : {false, true}) {
            at::Tensor rows = at::zeros({1, layers, perHead ? heads : 1, imageKeys}, f32);
            std::vector<int64_t> capture(static_cast<size_t>(cuda::attentionCaptureTableEntries()), 0);
            capture[0] = reinterpret_cast<int64_t>(rows.data_ptr());
            capture[1] = length - 1;
            capture[2] = 1;
            capture[3] = 1;
            capture[4] = 8;
            capture[5] = imageKeys;
            const at::Tensor captureTable = at::tensor(capture, at::TensorOptions().dtype(at::kLong)).cuda();
            const int blocks = 4 * properties->multiProcessorCount;
            const double graphed = graphMs([&] {
                cuda::launchImageAttentionCapture(cuda::ElementType::BFloat16, queries.data_ptr(), rowMax.data_ptr<float>(),
                                                  rowSum.data_ptr<float>(), table.data_ptr<int64_t>(),
                                                  position.data_ptr<int64_t>(), captureTable.data_ptr<int64_t>(), layers,
                                                  heads, kvHeads, headDim, perHead, blocks, currentStream());
            });
            std::printf("attention capture, 28 layers x 1024 image keys, %s: %.1f us per token (in a graph)\n",
                        perHead ? "every head" : "head means", graphed * 1e3);
        }
    }

    // The norms of each layer (RoPE and SwiGLU run inside the attention and the gate_up product), captured
    // back to back in one graph as the decode step runs them: what they add per token.
    runningSection = "norms";
    if (wanted("small")) {
        const int d = 3584, layers = 28;
        at::Tensor residual = at::randn({d}, bf16);
        const at::Tensor delta = at::randn({d}, bf16);
        const at::Tensor weight = at::randn({d}, bf16);
        at::Tensor normed = at::empty({d}, bf16);
        const auto type = cuda::ElementType::BFloat16;
        auto norms = [&](bool overlap) {
            const cuda::Launch launch(currentStream(), overlap);
            for (int l = 0; l < 2 * layers; ++l) {
                cuda::launchAddRmsNorm(type, residual.data_ptr(), delta.data_ptr(), weight.data_ptr(), normed.data_ptr(), d,
                                       1e-6f, launch);
            }
        };
        for (bool overlap : {false, true}) {
            const double graphed = graphMs([&] { norms(overlap); });
            std::printf("%snorm x2 per layer, x28 layers, as one graph, %s launches: %.3f ms per token\n",
                        overlap ? "" : "\n", overlap ? "overlapped" : "serial", graphed);
        }
    }
    // The whole step's kernels as the decode step launches them (no embedding gather, no sampling) for 28
    // layers of VoRA-7B weights and a 1088-key cache, in one graph with overlapped launches, each projection
    // with its fastest variant above: what the kernels alone give, against the floor.
    runningSection = "the whole step";
    if (wanted("step")) {
        const int d = 3584, intermediate = 18944, layers = 28, qkvWidth = (heads + 2 * kvHeads) * headDim;
        const int64_t length = 1088, vocab = 152064;
        const auto f32 = at::TensorOptions().device(at::kCUDA).dtype(at::kFloat);
        struct Layer {
            at::Tensor norm1, qkv, qkvBias, o, norm2, gateUp, down, keys, values;
        };
        std::vector<Layer> weights;
        std::vector<int64_t> entries;
        for (int l = 0; l < layers; ++l) {
            weights.push_back({at::rand({d}, bf16), at::randn({qkvWidth, d}, bf16) * 0.02, at::randn({qkvWidth}, bf16),
                               at::randn({d, heads * headDim}, bf16) * 0.02, at::rand({d}, bf16),
                               at::randn({2 * intermediate, d}, bf16) * 0.02, at::randn({d, intermediate}, bf16) * 0.02,
                               at::randn({kvHeads, length, headDim}, bf16), at::randn({kvHeads, length, headDim}, bf16)});
            entries.push_back(reinterpret_cast<int64_t>(weights.back().keys.data_ptr()));
            entries.push_back(reinterpret_cast<int64_t>(weights.back().values.data_ptr()));
        }
        entries.push_back(length);
        const at::Tensor table = at::tensor(entries, at::TensorOptions().dtype(at::kLong)).cuda();
        const at::Tensor lmHead = at::randn({vocab, d}, bf16) * 0.02;
        const at::Tensor finalNorm = at::rand({d}, bf16);
        const at::Tensor position = at::full({1}, length - 1, at::TensorOptions().dtype(at::kLong).device(at::kCUDA));
        const at::Tensor cos = at::rand({length, headDim}, bf16);
        const at::Tensor sin = at::rand({length, headDim}, bf16);
        at::Tensor residual = at::randn({d}, bf16);
        at::Tensor normed = at::empty({d}, bf16), qkv = at::empty({qkvWidth}, bf16), q = at::empty({heads * headDim}, bf16);
        at::Tensor attended = at::empty({heads * headDim}, bf16), delta = at::zeros({d}, bf16);
        at::Tensor activated = at::empty({intermediate}, bf16);
        at::Tensor logits = at::empty({vocab}, bf16);
        at::Tensor rowMax = at::empty({heads}, f32), rowSum = at::empty({heads}, f32);
        at::Tensor workspace = at::zeros({cuda::decodeAttentionWorkspaceFloats(kvHeads, heads / kvHeads, headDim, splits)}, f32);
        const auto type = cuda::ElementType::BFloat16;
        // The chain as the decode step launches it, and with kinds of kernel left out (the results are then
        // wrong, the times are not: no kernel's speed depends on the values): what each adds to a token.
        struct Chain {
            std::string name;
            bool norms = true, attention = true, projections = true;
        };
        auto step = [&](const Chain& chain) {
            const cuda::Launch launch(currentStream(), true);
            for (int l = 0; l < layers; ++l) {
                const Layer& w = weights[static_cast<size_t>(l)];
                if (chain.norms) {
                    cuda::launchAddRmsNorm(type, residual.data_ptr(), l == 0 ? nullptr : delta.data_ptr(),
                                           w.norm1.data_ptr(), normed.data_ptr(), d, 1e-6f, launch);
                }
                if (chain.projections) {
                    cuda::launchGemv(type, w.qkv.data_ptr(), normed.data_ptr(), w.qkvBias.data_ptr(), qkv.data_ptr(),
                                     qkvWidth, d, launch, best["qkv_proj"]);
                }
                if (chain.attention) {
                    const cuda::DecodeToken token{qkv.data_ptr(), cos.data_ptr(), sin.data_ptr(),
                                                  position.data_ptr<int64_t>(), table.data_ptr<int64_t>(), l, layers,
                                                  q.data_ptr()};
                    cuda::launchDecodeAttention(type, token, attended.data_ptr(), rowMax.data_ptr<float>(),
                                                rowSum.data_ptr<float>(), workspace.data_ptr<float>(), heads, kvHeads,
                                                headDim, splits, launch);
                }
                if (chain.projections) {
                    cuda::launchGemv(type, w.o.data_ptr(), attended.data_ptr(), nullptr, delta.data_ptr(), d,
                                     heads * headDim, launch, best["o_proj"]);
                }
                if (chain.norms) {
                    cuda::launchAddRmsNorm(type, residual.data_ptr(), delta.data_ptr(), w.norm2.data_ptr(),
                                           normed.data_ptr(), d, 1e-6f, launch);
                }
                if (chain.projections) {
                    cuda::launchGatedGemv(type, w.gateUp.data_ptr(), normed.data_ptr(), nullptr, activated.data_ptr(),
                                          intermediate, d, launch, best["gate_up_proj"]);
                }
                if (chain.projections) {
                    cuda::launchGemv(type, w.down.data_ptr(), activated.data_ptr(), nullptr, delta.data_ptr(), d,
                                     intermediate, launch, best["down_proj"]);
                }
            }
            if (chain.norms) {
                cuda::launchAddRmsNorm(type, residual.data_ptr(), delta.data_ptr(), finalNorm.data_ptr(), normed.data_ptr(),
                                       d, 1e-6f, launch);
            }
            if (chain.projections) {
                cuda::launchGemv(type, lmHead.data_ptr(), normed.data_ptr(), nullptr, logits.data_ptr(),
                                 static_cast<int>(vocab), d, launch, best["lm_head"]);
            }
        };
        const double floorMs = stepBytes / bandwidth * 1e3;
        std::printf("\nthe step's kernels, 28 layers + lm_head, 1088 cached keys, one graph (floor %.3f ms):\n", floorMs);
        std::vector<Chain> chains(5);
        chains[0].name = "the decode step's chain";
        chains[1].name = "without the norms";
        chains[1].norms = false;
        chains[2].name = "without the attention (and its RoPE)";
        chains[2].attention = false;
        chains[3].name = "the projections alone (SwiGLU joined to gate_up_proj)";
        chains[3].norms = chains[3].attention = false;
        chains[4].name = "without the projections";
        chains[4].projections = false;
        double whole = 0;
        for (int round = 0; round < 2; ++round) {
            for (const Chain& chain : chains) {
                const double ms = graphMs([&] { step(chain); });
                if (&chain == &chains.front()) {
                    whole = ms;
                    std::printf("  %.3f ms per token = %.1f tokens/s, %.1f%% of the floor: %s\n", ms, 1e3 / ms,
                                100 * floorMs / ms, chain.name.c_str());
                } else {
                    std::printf("  %.3f ms per token (%+.3f ms): %s\n", ms, ms - whole, chain.name.c_str());
                }
            }
        }
    }
    return 0;
}

} // namespace

int main()
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // every line out before an abort, also through a pipe
    try {
        return bench();
    } catch (const std::exception& e) {
        const std::string what = e.what();
        std::printf("bench_decode_kernels: stopped in \"%s\": %s\n", runningSection, what.substr(0, what.find('\n')).c_str());
        return 1;
    }
}
