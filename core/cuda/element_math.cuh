#pragma once
// Element types of the decode kernels and the rounding points they share with eager LibTorch ops.
// Arithmetic uses explicitly rounded intrinsics (__fmul_rn, __fadd_rn) where eager rounds after each op,
// so the compiler cannot contract it into fused multiply-adds.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

namespace vora::core::cuda {

template <typename T>
struct Element;

template <>
struct Element<float> {
    static __device__ __forceinline__ float load(float x) { return x; }
    static __device__ __forceinline__ float store(float x) { return x; }
};

template <>
struct Element<__nv_bfloat16> {
    static __device__ __forceinline__ float load(__nv_bfloat16 x) { return __bfloat162float(x); }
    static __device__ __forceinline__ __nv_bfloat16 store(float x) { return __float2bfloat16_rn(x); }
};

template <>
struct Element<__half> {
    static __device__ __forceinline__ float load(__half x) { return __half2float(x); }
    static __device__ __forceinline__ __half store(float x) { return __float2half_rn(x); }
};

template <typename T>
__device__ __forceinline__ float toFloat(T x)
{
    return Element<T>::load(x);
}

template <typename T>
__device__ __forceinline__ T fromFloat(float x)
{
    return Element<T>::store(x);
}

// x rounded to T's precision, back in float.
template <typename T>
__device__ __forceinline__ float roundTo(float x)
{
    return toFloat<T>(fromFloat<T>(x));
}

template <typename T>
__device__ __forceinline__ float mulRounded(float a, float b)
{
    return roundTo<T>(__fmul_rn(a, b));
}

template <typename T>
__device__ __forceinline__ float addRounded(float a, float b)
{
    return roundTo<T>(__fadd_rn(a, b));
}

// The 16-byte vector of T as floats (8 for 2-byte types, 4 for float).
template <typename T>
struct Vec16 {
    static constexpr int kCount = 16 / sizeof(T);
    float v[kCount];

    __device__ __forceinline__ explicit Vec16(const uint4& raw)
    {
        const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
        for (int i = 0; i < kCount; ++i) {
            v[i] = toFloat<T>(e[i]);
        }
    }
};

__device__ __forceinline__ float warpSum(float x)
{
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) {
        x += __shfl_xor_sync(0xffffffffu, x, offset);
    }
    return x;
}

__device__ __forceinline__ float warpMax(float x)
{
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) {
        x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, offset));
    }
    return x;
}

// Calls f with the CUDA element type matching `type` (a dummy pointer of that type).
template <typename F>
cudaError_t dispatchElement(int type, F&& f)
{
    switch (type) {
    case 0: return f(static_cast<float*>(nullptr));
    case 1: return f(static_cast<__nv_bfloat16*>(nullptr));
    case 2: return f(static_cast<__half*>(nullptr));
    }
    return cudaErrorInvalidValue;
}

} // namespace vora::core::cuda
