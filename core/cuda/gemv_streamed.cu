// The streamed variants of the decode matrix-vector product (core/cuda/gemv_streamed.h, listed by
// core/cuda/gemv.cu). The register-loading variants keep a few KB of weights in flight per warp, and each
// block streams only its own few rows: a projection whose rows fill a couple of waves of blocks (qkv_proj,
// o_proj, down_proj at 7B shapes) spends its first and last microseconds with the memory system half busy.
// Here one or two blocks per multiprocessor each take an even share of the rows (every grid-th row), and
// four producer warps stream them into a ring of shared-memory stages of whole rows with 16-byte
// asynchronous copies (cp.async: no register holds them, so up to ~200 KB per
// multiprocessor are in flight), each lane arriving on the stage's mbarrier once its copies have landed.
// The first stages are requested before waitForPrerequisites(): weights are never written, so with an
// overlapped launch they stream in while the previous kernel ends.
//
// Eight consumer warps read the stages: a whole row per warp (split 1) or a quarter of a row per warp, four
// warps per row (split 4), the block's rows dealt to the warps (or teams of four) in turn. A lane adds its
// vectors of the row (or quarter) in ascending order (begin + lane, + 32, ...), then the warp adds its lanes
// as warpSum does and, splitting, the four quarters are added in warp order: the same order as the
// register-loading variants of the same kind, so the same bits. x (the input vector) is copied into shared
// memory once, after the wait. A stage is refilled once every consumer warp has arrived on its second
// mbarrier, so warps run ahead of each other by up to the ring's length.
#include "core/cuda/element_math.cuh"
#include "core/cuda/gemv_streamed.h"
#include "core/cuda/launch.cuh"

#include <algorithm>

namespace vora::core::cuda {
namespace {

constexpr int kConsumerWarps = 8;
constexpr int kProducerWarps = 4; // issuing copies from more lanes keeps more of them in flight
constexpr int kThreads = (kConsumerWarps + kProducerWarps) * 32; // the last warps produce
constexpr int kMaxStages = 16;
constexpr int kTargetStages = 4; // stages as large as this many fit
// Shared memory before x: the stages' two mbarriers, then the quarters' double buffer.
constexpr int kHeaderBytes = 2 * kMaxStages * 8 + 2 * kConsumerWarps * 4;
constexpr int kXAlignment = 128;

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900 // the host checks the card
__device__ __forceinline__ uint32_t sharedAddress(const void* p)
{
    return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void barrierInit(uint64_t* barrier, int arrivals)
{
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(sharedAddress(barrier)), "r"(arrivals) : "memory");
}

__device__ __forceinline__ void barrierArrive(uint64_t* barrier)
{
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(sharedAddress(barrier)) : "memory");
}

// Returns once the barrier's phase of the given parity has completed.
__device__ __forceinline__ void barrierWait(uint64_t* barrier, uint32_t parity)
{
    uint32_t done = 0;
    do {
        asm volatile("{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}"
                     : "=r"(done)
                     : "r"(sharedAddress(barrier)), "r"(parity)
                     : "memory");
    } while (!done);
}

// 16 bytes from global src to shared dst, read once (so L2 evicts them first), without a register.
__device__ __forceinline__ void copyAsync(void* dst, const void* src, uint64_t policy)
{
    asm volatile("cp.async.cg.shared.global.L2::cache_hint [%0], [%1], 16, %2;" ::"r"(sharedAddress(dst)), "l"(src),
                 "l"(policy)
                 : "memory");
}

// An arrival on barrier once every copyAsync this thread issued before has landed.
__device__ __forceinline__ void barrierArriveOnCopies(uint64_t* barrier)
{
    asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];" ::"r"(sharedAddress(barrier)) : "memory");
}

__device__ __forceinline__ uint64_t evictFirstPolicy()
{
    uint64_t policy;
    asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;" : "=l"(policy));
    return policy;
}

#endif

template <typename T, int kSplit>
__global__ void __launch_bounds__(kThreads, 2) streamedGemvKernel(const T* __restrict__ w, const T* x,
                                                               const T* __restrict__ bias, T* y, int n, int k,
                                                               int stageRows, int stages, int xBytes)
{
    static_assert(kSplit == 1 || kSplit == 4, "whole rows or quarters");
    static_assert(kSplit == 1 || kConsumerWarps / kSplit <= 2, "a named barrier per team: ids 2 and 3");
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    constexpr int kTeams = kConsumerWarps / kSplit; // rows in progress at once
    extern __shared__ __align__(128) unsigned char shared[];
    uint64_t* full = reinterpret_cast<uint64_t*>(shared); // a stage's bytes have landed
    uint64_t* empty = full + kMaxStages;                  // a stage's readers are done
    float* quarters = reinterpret_cast<float*>(empty + kMaxStages); // [2][kConsumerWarps]
    uint4* xs = reinterpret_cast<uint4*>(shared + kHeaderBytes);
    uint4* ring = reinterpret_cast<uint4*>(shared + kHeaderBytes + xBytes); // [stages][stageRows][vectors]

    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int vectors = k / Vec16<T>::kCount;
    // The block's rows: blockIdx.x, + gridDim.x, ... (at any moment the blocks read neighbouring rows; each
    // block reading a contiguous range of its own ran at a third of the bandwidth).
    const int rows = (n - static_cast<int>(blockIdx.x) + static_cast<int>(gridDim.x) - 1) / static_cast<int>(gridDim.x);
    const auto rowOf = [&](int local) { return static_cast<int64_t>(blockIdx.x) + static_cast<int64_t>(local) * gridDim.x; };
    const int tiles = (rows + stageRows - 1) / stageRows;

    if (threadIdx.x == 0) {
        for (int s = 0; s < stages; ++s) {
            barrierInit(&full[s], kProducerWarps * 32); // the producer lanes, each once its copies have landed
            barrierInit(&empty[s], kConsumerWarps);
        }
        asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    }
    __syncthreads();

    if (warp >= kConsumerWarps) {
        // The producers: weights only, which no kernel writes, so they never wait for the previous kernel.
        const int producer = threadIdx.x - kConsumerWarps * 32;
        const uint64_t policy = evictFirstPolicy();
        for (int t = 0; t < tiles; ++t) {
            const int s = t % stages;
            if (t >= stages) {
                barrierWait(&empty[s], static_cast<uint32_t>(t / stages - 1) & 1u);
            }
            for (int local = t * stageRows; local < min(rows, (t + 1) * stageRows); ++local) {
                const uint4* from = reinterpret_cast<const uint4*>(w + rowOf(local) * k);
                uint4* to = ring + (static_cast<int64_t>(s) * stageRows + local - t * stageRows) * vectors;
#pragma unroll 4
                for (int v = producer; v < vectors; v += kProducerWarps * 32) {
                    copyAsync(to + v, from + v, policy);
                }
            }
            barrierArriveOnCopies(&full[s]);
        }
        startDependents();
        return;
    }

    waitForPrerequisites();
    const uint4* input = reinterpret_cast<const uint4*>(x);
    for (int v = threadIdx.x; v < vectors; v += kConsumerWarps * 32) {
        xs[v] = input[v]; // plain loads: written by the previous kernel
    }
    asm volatile("bar.sync 1, %0;" ::"n"(kConsumerWarps * 32) : "memory"); // the consumers only

    // This warp's part of each of its rows: all vectors, or its quarter.
    const int span = kSplit == 1 ? vectors : (vectors + kSplit - 1) / kSplit;
    const int begin = kSplit == 1 ? 0 : min(vectors, (warp % kSplit) * span);
    const int end = min(vectors, begin + span);
    const int team = warp / kSplit;
    for (int t = 0; t < tiles; ++t) {
        const int s = t % stages;
        barrierWait(&full[s], static_cast<uint32_t>(t / stages) & 1u);
        const int last = min(rows, (t + 1) * stageRows);
        // The block's rows go to the teams in turn: this team's first row in the tile, then every kTeams-th.
        int row = t * stageRows + (team - t * stageRows % kTeams + kTeams) % kTeams;
        for (; row < last; row += kTeams) {
            const uint4* weights = ring + (static_cast<int64_t>(s) * stageRows + row - t * stageRows) * vectors;
            float sum = 0.f;
#pragma unroll 4
            for (int v = begin + lane; v < end; v += 32) {
                // Whole 16-byte loads into registers first: Vec16 of a shared-memory reference read it as
                // eight 2-byte loads with bank conflicts (a third of the bandwidth, measured).
                const uint4 weight = weights[v];
                const uint4 xv = xs[v];
                const Vec16<T> a(weight);
                const Vec16<T> b(xv);
                float dot = 0.f;
#pragma unroll
                for (int i = 0; i < Vec16<T>::kCount; ++i) {
                    dot = fmaf(a.v[i], b.v[i], dot);
                }
                sum += dot;
            }
            float total = warpSum(sum);
            if constexpr (kSplit != 1) {
                // The team's quarters in warp order; two slots per team, alternating with its rows.
                float* slot = quarters + (row / kTeams % 2) * kConsumerWarps + team * kSplit;
                if (lane == 0) {
                    slot[warp % kSplit] = total;
                }
                if (team == 0) { // a named barrier per team (ids known at compile time)
                    asm volatile("bar.sync 2, %0;" ::"n"(kSplit * 32) : "memory");
                } else {
                    asm volatile("bar.sync 3, %0;" ::"n"(kSplit * 32) : "memory");
                }
                total = slot[0];
#pragma unroll
                for (int part = 1; part < kSplit; ++part) {
                    total += slot[part];
                }
            }
            if (lane == 0 && warp % kSplit == 0) {
                const int64_t output = rowOf(row);
                y[output] = fromFloat<T>(bias ? total + toFloat(bias[output]) : total);
            }
        }
        __syncwarp();
        if (lane == 0) {
            barrierArrive(&empty[s]);
        }
    }
    startDependents();
#endif
}

int attribute(cudaDeviceAttr which, int device)
{
    int value = 0;
    return cudaDeviceGetAttribute(&value, which, device) == cudaSuccess ? value : 0;
}

// How a launch is laid out: rows per stage, the stages, x's bytes, the shared memory.
struct Plan {
    int stageRows = 0;
    int stages = 0;
    int xBytes = 0;
    int sharedBytes = 0;
};

// Stages of as many whole rows as let kTargetStages of them fit in a block's share of the multiprocessor's
// shared memory beside x (at least one row, at most kMaxStages stages). False when not even two one-row
// stages fit.
bool planFor(int vectors, int blocksPerProcessor, int device, Plan& plan)
{
    const int perBlock = attribute(cudaDevAttrMaxSharedMemoryPerBlockOptin, device);
    const int perProcessor = attribute(cudaDevAttrMaxSharedMemoryPerMultiprocessor, device);
    const int reserved = attribute(cudaDevAttrReservedSharedMemoryPerBlock, device);
    const int64_t budget = std::min(perBlock, perProcessor / blocksPerProcessor - reserved);
    const int64_t rowBytes = int64_t(vectors) * 16;
    plan.xBytes = static_cast<int>((rowBytes + kXAlignment - 1) / kXAlignment * kXAlignment);
    const int64_t left = budget - kHeaderBytes - plan.xBytes;
    if (left < 2 * rowBytes) {
        return false;
    }
    plan.stageRows = static_cast<int>(std::max<int64_t>(1, left / kTargetStages / rowBytes));
    plan.stages = static_cast<int>(std::min<int64_t>(kMaxStages, left / (plan.stageRows * rowBytes)));
    plan.sharedBytes = static_cast<int>(kHeaderBytes + plan.xBytes + plan.stages * plan.stageRows * rowBytes);
    return true;
}

int currentDevice()
{
    int device = 0;
    return cudaGetDevice(&device) == cudaSuccess ? device : -1;
}

bool validShape(ElementType type, int k, int blocksPerProcessor, int split)
{
    const int elementBytes = type == ElementType::Float32 ? 4 : 2;
    return k > 0 && (static_cast<int64_t>(k) * elementBytes) % 16 == 0 && (blocksPerProcessor == 1 || blocksPerProcessor == 2)
        && (split == 1 || split == 4);
}

} // namespace

bool streamedGemvTakes(ElementType type, int k, int blocksPerProcessor, int split)
{
    Plan plan;
    const int vectors = k / (type == ElementType::Float32 ? 4 : 8);
    return validShape(type, k, blocksPerProcessor, split) && currentDevice() >= 0
        && attribute(cudaDevAttrComputeCapabilityMajor, currentDevice()) >= 9
        && planFor(vectors, blocksPerProcessor, currentDevice(), plan);
}

cudaError_t launchStreamedGemv(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                               const Launch& launch, int blocksPerProcessor, int split)
{
    if (n < 1 || !streamedGemvTakes(type, k, blocksPerProcessor, split) || !aligned16(w) || !aligned16(x)) {
        return cudaErrorInvalidValue;
    }
    const int device = currentDevice();
    Plan plan;
    const int vectors = k / (type == ElementType::Float32 ? 4 : 8);
    planFor(vectors, blocksPerProcessor, device, plan);
    const int blocks = std::min(n, attribute(cudaDevAttrMultiProcessorCount, device) * blocksPerProcessor);
    return dispatchElement(static_cast<int>(type), [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        auto* kernel = split == 1 ? streamedGemvKernel<T, 1> : streamedGemvKernel<T, 4>;
        // Host-side only (legal inside graph capture); every launch sets what it needs.
        const cudaError_t status = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                                        plan.sharedBytes);
        if (status != cudaSuccess) {
            return status;
        }
        return launchKernelWithShared(kernel, dim3(blocks), dim3(kThreads), static_cast<size_t>(plan.sharedBytes),
                                      launch, static_cast<const T*>(w), static_cast<const T*>(x),
                                      static_cast<const T*>(bias), static_cast<T*>(y), n, k, plan.stageRows, plan.stages,
                                      plan.xBytes);
    });
}

} // namespace vora::core::cuda
