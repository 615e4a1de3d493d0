#pragma once
// The streamed variants of the decode matrix-vector product (internal to core/cuda/gemv.cu, which lists
// them among launchGemv's variants; core/cuda/gemv_streamed.cu says how they work).
#include "core/cuda/decode_kernels.h"

namespace vora::core::cuda {

// blocksPerProcessor: 1 or 2 resident blocks per multiprocessor (their shared memory split between them);
// split: 1 (a warp takes whole rows) or 4 (four warps take a quarter of each row), the two orders of sums of
// the register-loading variants, whose bits they give.
bool streamedGemvTakes(ElementType type, int k, int blocksPerProcessor, int split);
cudaError_t launchStreamedGemv(ElementType type, const void* w, const void* x, const void* bias, void* y, int n, int k,
                               const Launch& launch, int blocksPerProcessor, int split);

} // namespace vora::core::cuda
