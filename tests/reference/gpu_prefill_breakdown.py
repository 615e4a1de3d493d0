#!/usr/bin/env python3
"""Where the first token's time goes at VoRA-7B shapes (random bf16 weights, 1024 image + 64 text tokens): each
operation of one prefill layer as the fused-kernel prefill runs it (core/cuda/chunk_prefill.cpp), with torch
stand-ins for the project's norm, RoPE and SwiGLU kernels, timed with CUDA events inside the 28-layer chain;
then the attention's segments and the vision embedding alone. A diagnostic for the GPU machine, not a test:

  python3 tests/reference/gpu_prefill_breakdown.py
"""
import os
import statistics
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu_vora7b import CONFIG, IMAGE, PATCH, WIDTH  # noqa: E402
bf = dict(device="cuda", dtype=torch.bfloat16)
d, inter, L = CONFIG["hidden_size"], CONFIG["intermediate_size"], CONFIG["num_hidden_layers"]
H, KV = CONFIG["num_attention_heads"], CONFIG["num_key_value_heads"]
hd = d // H; G = H // KV
M, before, image = 1088, 8, 1024
layers = [dict(qkv=torch.randn(d + 2 * KV * hd, d, **bf) * 0.02, b=torch.randn(d + 2 * KV * hd, **bf) * 0.02,
               o=torch.randn(d, d, **bf) * 0.02, gu=torch.randn(2 * inter, d, **bf) * 0.02,
               down=torch.randn(d, inter, **bf) * 0.02) for _ in range(L)]
cacheK = [torch.zeros(1, KV, 1280, hd, **bf) for _ in range(L)]
cacheV = [torch.zeros(1, KV, 1280, hd, **bf) for _ in range(L)]
x0 = torch.randn(M, d, **bf)
names = ["norm", "qkv", "rope+store", "attn", "o", "norm2", "gate_up", "swiglu", "down"]
def norm(x):
    x32 = x.float(); return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + 1e-6)).to(x.dtype)
def attend(q, k, v):
    # as core/model/attention.cpp: text before (square causal), image (all, folded groups), text after (flash bottom-right)
    a = q[:, :, :before]; ka = k[:, :, :before]; va = v[:, :, :before]
    out1 = F.scaled_dot_product_attention(a, ka.repeat_interleave(G, 1), va.repeat_interleave(G, 1), is_causal=True)
    rows = q[:, :, before:before + image]
    folded = rows.reshape(1, KV, G * image, hd)
    out2 = F.scaled_dot_product_attention(folded, k[:, :, :before + image], v[:, :, :before + image]).reshape(rows.shape)
    c = q[:, :, before + image:]
    out3 = torch.ops.aten._scaled_dot_product_flash_attention(c, k, v, 0.0, True)[0]
    return torch.cat([out1, out2, out3], 2)
def run(events=None):
    x = x0.clone(); t = []
    for l in range(L):
        w = layers[l]
        def mark():
            if events is not None:
                e = torch.cuda.Event(enable_timing=True); e.record(); t.append(e)
        mark(); h = norm(x)
        mark(); qkv = torch.addmm(w["b"], h, w["qkv"].t())
        mark(); q = qkv[:, :d].contiguous().view(1, M, H, hd).transpose(1, 2)
        cacheK[l][:, :, :M].copy_(qkv[:, d:d + KV * hd].view(M, KV, hd).transpose(0, 1)); cacheV[l][:, :, :M].copy_(qkv[:, d + KV * hd:].view(M, KV, hd).transpose(0, 1))
        mark(); a = attend(q, cacheK[l][:, :, :M], cacheV[l][:, :, :M])
        mark(); o = a.transpose(1, 2).reshape(M, d) @ w["o"].t()
        mark(); x = x + o; h = norm(x)
        mark(); gu = h @ w["gu"].t()
        mark(); act = F.silu(gu[:, :inter]) * gu[:, inter:]
        mark(); x = x + act @ w["down"].t()
    mark()
    return t
for _ in range(2): run()
torch.cuda.synchronize()
totals = []
for _ in range(3):
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record(); run(); e.record(); e.synchronize(); totals.append(s.elapsed_time(e))
print(f"whole prefill stand-in (no events inside): {statistics.median(totals):.2f} ms")
ev = run(events=True); torch.cuda.synchronize()
per = {n: 0.0 for n in names}
for i in range(len(ev) - 1):
    per[names[i % len(names)]] += ev[i].elapsed_time(ev[i + 1])
for n in names: print(f"  {n:11s} {per[n]:7.2f} ms over {L} layers")
# attention variants alone, one layer
q = torch.randn(1, M, H, hd, **bf).transpose(1, 2); k = cacheK[0][:, :, :M]; v = cacheV[0][:, :, :M]
def timeit(f, n=20):
    f(); torch.cuda.synchronize(); s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    for _ in range(n): f()
    e.record(); e.synchronize(); return s.elapsed_time(e) / n * 1000
print(f"attention as vora (3 segments + cat): {timeit(lambda: attend(q, k, v)):.1f} us/layer")
rows = q[:, :, before:before + image]
print(f"  image segment folded SDPA: {timeit(lambda: F.scaled_dot_product_attention(rows.reshape(1, KV, G * image, hd), k[:, :, :before+image], v[:, :, :before+image])):.1f} us")
print(f"  image segment flash, GQA native: {timeit(lambda: torch.ops.aten._scaled_dot_product_flash_attention(rows, k[:, :, :before+image], v[:, :, :before+image], 0.0, False)):.1f} us")
print(f"  whole causal flash (no image block), for scale: {timeit(lambda: torch.ops.aten._scaled_dot_product_flash_attention(q, k, v, 0.0, True)):.1f} us")
from torch.nn.attention import sdpa_kernel, SDPBackend
for b in (SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION):
    try:
        with sdpa_kernel(b):
            print(f"  image segment folded SDPA forced {b.name}: {timeit(lambda: F.scaled_dot_product_attention(rows.reshape(1, KV, G * image, hd), k[:, :, :before+image], v[:, :, :before+image])):.1f} us")
    except Exception as ex:
        print(f"  {b.name}: not eligible ({str(ex)[:120]})")
# vision embedding
pix = torch.randn(1, 3, IMAGE, IMAGE, device="cuda", dtype=torch.bfloat16)
pw = torch.randn(WIDTH, 3, PATCH, PATCH, **bf); pb = torch.randn(WIDTH, **bf); ow = torch.randn(d, WIDTH, **bf); pos = torch.randn(1, (IMAGE // PATCH) ** 2, WIDTH, **bf)
def vis():
    y = F.conv2d(pix, pw, pb, stride=PATCH).flatten(2).transpose(1, 2)
    return (norm(y) + pos) @ ow.t()
print(f"vision embedding stand-in: {timeit(vis):.1f} us")
