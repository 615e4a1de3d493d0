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

// kCount floats rounded to T, packed into one 16-byte vector (the inverse of Vec16).
template <typename T>
__device__ __forceinline__ uint4 packVec16(const float (&v)[Vec16<T>::kCount])
{
    uint4 raw;
    T* e = reinterpret_cast<T*>(&raw);
#pragma unroll
    for (int i = 0; i < Vec16<T>::kCount; ++i) {
        e[i] = fromFloat<T>(v[i]);
    }
    return raw;
}

// kVec elements at p as floats: one element (kVec 1) or one 16-byte vector (kVec = Vec16<T>::kCount).
template <typename T, int kVec>
__device__ __forceinline__ void loadElements(const T* p, float (&out)[kVec])
{
    if constexpr (kVec == 1) {
        out[0] = toFloat(*p);
    } else {
        const Vec16<T> v(*reinterpret_cast<const uint4*>(p));
#pragma unroll
        for (int e = 0; e < kVec; ++e) {
            out[e] = v.v[e];
        }
    }
}

// The inverse of loadElements: kVec floats rounded to T, stored at p.
template <typename T, int kVec>
__device__ __forceinline__ void storeElements(T* p, const float (&in)[kVec])
{
    if constexpr (kVec == 1) {
        *p = fromFloat<T>(in[0]);
    } else {
        *reinterpret_cast<uint4*>(p) = packVec16<T>(in);
    }
}

// SwiGLU of one element: silu(gate) rounded as at::silu rounds it (x / (1 + exp(-x)) in float), times up,
// in float (the caller rounds the product to T, as at::mul does). gate and up hold T values.
template <typename T>
__device__ __forceinline__ float swiGluElement(float gate, float up)
{
    const float silu = roundTo<T>(__fdiv_rn(gate, __fadd_rn(1.f, expf(-gate))));
    return __fmul_rn(silu, up);
}

// RoPE of one 16-byte vector of a head (rotate-half layout): x * cos + rotate_half(x) * sin with each
// product and the sum rounded to T, as eager computes it. own: the vector; partner: the vector half a head
// away, which rotate_half pairs with it (its negation for a vector in the first half); cos, sin: the
// tables' vectors at own's place in the head.
template <typename T>
__device__ __forceinline__ uint4 rotateHalfVector(const uint4& own, const uint4& partner, const uint4& cos,
                                                  const uint4& sin, bool firstHalf)
{
    const Vec16<T> x(own);
    const Vec16<T> p(partner);
    const Vec16<T> c(cos);
    const Vec16<T> s(sin);
    float rotated[Vec16<T>::kCount];
#pragma unroll
    for (int e = 0; e < Vec16<T>::kCount; ++e) {
        rotated[e] = __fadd_rn(mulRounded<T>(x.v[e], c.v[e]), mulRounded<T>(firstHalf ? -p.v[e] : p.v[e], s.v[e]));
    }
    return packVec16<T>(rotated);
}

// Whether p is aligned for 16-byte loads and stores.
__host__ __device__ __forceinline__ bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

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
