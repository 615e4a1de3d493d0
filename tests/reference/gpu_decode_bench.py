#!/usr/bin/env python3
"""Decode and first-token benchmarks of HF transformers on VoRA-7B shapes (the same random LLM weights as
`gpu_vora7b.py make`), the measured memory-bandwidth floor, and the README table from those and `vora bench`.

  hf MODE OUT.json   MODE eager | static: HF generate() with its dynamic cache, or with
                     cache_implementation="static" (generate() then compiles the decode step). Batch 1,
                     1024 + 64 embedded prompt positions (HF gets no vision embedding: random inputs_embeds),
                     greedy. Writes decode_tokens_per_s, time_to_first_token_ms (generate() of one token),
                     second_turn_time_to_first_token_ms (the conversation plus the answer and a 20-token
                     follow-up, prefilled again as generate() does) and, eager only, the same with the first
                     turn's cache passed back (second_turn_reuse_time_to_first_token_ms).
  floor OUT.json     device copy bandwidth (2 GiB, bytes read + written) and the bytes one decode step must
                     read (every LLM weight but the embedding table, which is only gathered, plus the KV cache);
                     and the first token's matrix-product time: one layer's four projections at the prompt's
                     1088 rows through torch.matmul (cuBLAS, as `vora` runs them), times the layers, plus the
                     vocabulary projection of the last row
  summary DIR        the README rows from DIR/{vora_bench,hf_eager,hf_static,floor}.json (vora_bench.json:
                     `vora bench --decode both`, a line for graph decoding and one for eager decoding)
"""
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu_vora7b import CONFIG, hf_model  # noqa: E402

PROMPT_POSITIONS = 1024 + 64
NEW_TOKENS = 128
EAGER_DECODE_TOKENS = 32  # HF eager decodes ~16 tok/s: its steady rate needs no 128-token runs
FOLLOW_UP = 20


def timed(work, repeat=3):
    times = []
    for _ in range(repeat):
        torch.cuda.synchronize()
        start = time.perf_counter()
        result = work()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def hf(mode, out_path):
    import transformers
    model = hf_model()
    if mode == "static":
        model.generation_config.cache_implementation = "static"
    torch.manual_seed(3)
    hidden = CONFIG["hidden_size"]
    embeds = torch.randn(1, PROMPT_POSITIONS, hidden, device="cuda", dtype=torch.bfloat16) * 0.02
    common = dict(do_sample=False, pad_token_id=0)

    def generate(inputs, new, **extra):
        mask = torch.ones(1, inputs.shape[1], dtype=torch.long, device="cuda")
        return model.generate(inputs_embeds=inputs, attention_mask=mask, max_new_tokens=new, min_new_tokens=new,
                              **common, **extra)

    result = {"impl": "hf-" + mode, "version": transformers.__version__, "device_name": torch.cuda.get_device_name()}
    with torch.no_grad():
        decode_tokens = NEW_TOKENS if mode == "static" else EAGER_DECODE_TOKENS
        generate(embeds, decode_tokens)  # warm-up; with a static cache this compiles the decode step
        generate(embeds, 1)
        first_ms, _ = timed(lambda: generate(embeds, 1))
        total_ms, _ = timed(lambda: generate(embeds, decode_tokens), repeat=2)
        result["time_to_first_token_ms"] = round(first_ms, 2)
        result["decode_tokens_per_s"] = round((decode_tokens - 1) / ((total_ms - first_ms) / 1000), 2)
        result["decode_tokens_timed"] = decode_tokens
        # The second turn has vora bench's shape: the prompt, a 128-token answer, a 20-token follow-up.
        answer = torch.randn(1, NEW_TOKENS, hidden, device="cuda", dtype=torch.bfloat16) * 0.02
        follow_up = torch.randn(1, FOLLOW_UP, hidden, device="cuda", dtype=torch.bfloat16) * 0.02
        second = torch.cat([embeds, answer, follow_up], dim=1)
        generate(second, 1)
        result["second_turn_time_to_first_token_ms"] = round(timed(lambda: generate(second, 1))[0], 2)
        result["second_turn_prompt_positions"] = second.shape[1]
        if mode == "eager":
            try:
                # The first turn's cache holds the prompt and the answer's first 127 tokens; HF prefills the rest.
                first = generate(embeds, NEW_TOKENS, return_dict_in_generate=True)
                generated = model.model.embed_tokens(first.sequences[:, -NEW_TOKENS:])
                continued = torch.cat([embeds, generated, follow_up], dim=1)
                torch.cuda.synchronize()
                start = time.perf_counter()
                generate(continued, 1, past_key_values=first.past_key_values)
                torch.cuda.synchronize()
                result["second_turn_reuse_time_to_first_token_ms"] = round((time.perf_counter() - start) * 1000, 2)
            except Exception as error:  # an API this transformers version lacks: say so, keep the rest
                result["second_turn_reuse_error"] = f"{type(error).__name__}: {error}"[:300]
    result["peak_memory_bytes"] = torch.cuda.max_memory_allocated()
    with open(out_path, "w") as f:
        json.dump(result, f)
    print(json.dumps(result))


def floor(out_path):
    source = torch.rand((1 << 30), device="cuda", dtype=torch.bfloat16)  # 2 GiB
    target = torch.empty_like(source)
    for _ in range(3):
        target.copy_(source)
    times = []
    for _ in range(10):
        begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        begin.record()
        target.copy_(source)
        end.record()
        end.synchronize()
        times.append(begin.elapsed_time(end))
    bandwidth = 2 * source.numel() * 2 / (statistics.median(times) / 1000)
    c = CONFIG
    d, inter, layers = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]
    head_dim = d // c["num_attention_heads"]
    kv = c["num_key_value_heads"] * head_dim
    per_layer = d * (d + 2 * kv) + (d + 2 * kv) + d * d + 3 * d * inter + 2 * d  # qkv (+bias), o, mlp, norms
    weights = (layers * per_layer + d + c["vocab_size"] * d) * 2  # + final norm, lm_head; bf16
    mean_positions = PROMPT_POSITIONS + NEW_TOKENS / 2
    kv_cache = layers * 2 * kv * mean_positions * 2
    step = weights + kv_cache
    result = {"device_name": torch.cuda.get_device_name(), "copy_bandwidth_bytes_per_s": bandwidth,
              "bytes_per_decode_step": step, "floor_decode_tokens_per_s": round(bandwidth / step, 1)}
    result.update(prefill_products(d, kv, inter, layers, c["vocab_size"]))
    with open(out_path, "w") as f:
        json.dump(result, f)
    print(json.dumps(result))


def prefill_products(d, kv, inter, layers, vocab):
    """Milliseconds of the first token's matrix products (bf16, cuBLAS) and the rate they run at."""
    torch.manual_seed(0)
    bf16 = {"device": "cuda", "dtype": torch.bfloat16}
    x = torch.randn(PROMPT_POSITIONS, d, **bf16)
    act = torch.randn(PROMPT_POSITIONS, inter, **bf16)
    weights = [(x, torch.randn(d + 2 * kv, d, **bf16)), (x, torch.randn(d, d, **bf16)),
               (x, torch.randn(2 * inter, d, **bf16)), (act, torch.randn(d, inter, **bf16))]
    head = (x[-1:], torch.randn(vocab, d, **bf16))

    def run(pairs):
        for inputs, weight in pairs:
            torch.matmul(inputs, weight.t())

    def milliseconds(pairs, rounds=20):
        run(pairs)
        begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        begin.record()
        for _ in range(rounds):
            run(pairs)
        end.record()
        end.synchronize()
        return begin.elapsed_time(end) / rounds

    layer_ms = milliseconds(weights)
    total_ms = layers * layer_ms + milliseconds([head])
    flops = 2 * PROMPT_POSITIONS * layers * sum(w.numel() for _, w in weights) + 2 * head[1].numel()
    return {"prefill_products_ms": round(total_ms, 2), "prefill_products_tflops": round(flops / total_ms / 1e9, 1)}


def summary(folder):
    def lines(name):
        path = os.path.join(folder, name + ".json")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip().startswith("{")]

    def read(name):
        found = lines(name)
        return found[-1] if found else {}

    runs = lines("vora_bench")
    vora = next((r for r in runs if r.get("decode_path", "").startswith("cuda-graph")), runs[0] if runs else {})
    eager = next((r for r in runs if r is not vora and r.get("decode_path", "").startswith("eager")), {})
    hf_eager, hf_static, fl, serial = (read(n) for n in ("hf_eager", "hf_static", "floor", "vora_bench_serial"))
    capture = {detail: read("vora_bench_capture_" + detail) for detail in ("layers", "heads")}
    eager_prefill = read("vora_bench_eager_prefill")

    def cell(row, key, digits=1):
        value = row.get(key)
        return "-" if value is None else f"{value:.{digits}f}"

    lines = [f"card: {fl.get('device_name') or vora.get('device_name', '?')}; VoRA-7B shapes, bf16, batch 1, "
             f"1024 image + 64 text tokens, 128 new tokens, second turn = answer + {FOLLOW_UP}-token follow-up",
             "| | decode tok/s | first token ms | second-turn first token ms |", "|---|---|---|---|"]
    for name, row, second in (
            (f"vora ({vora.get('decode_path', '?')})", vora, "second_turn_time_to_first_token_ms"),
            ("vora, graph decode without overlapped launches", serial, "second_turn_time_to_first_token_ms"),
            ("vora, capturing attention per layer (head means)", capture["layers"], "second_turn_time_to_first_token_ms"),
            ("vora, capturing attention per layer and head", capture["heads"], "second_turn_time_to_first_token_ms"),
            ("vora, eager prefill (graph decode)", eager_prefill, "second_turn_time_to_first_token_ms"),
            ("vora, eager decode", eager, "second_turn_time_to_first_token_ms"),
            ("HF eager", hf_eager, "second_turn_time_to_first_token_ms"),
            ("HF eager, first turn's cache passed back", hf_eager, "second_turn_reuse_time_to_first_token_ms"),
            ("HF static cache + compile", hf_static, "second_turn_time_to_first_token_ms")):
        decode = cell(row, "decode_tokens_per_s") if "cache passed back" not in name else "-"
        first = cell(row, "time_to_first_token_ms") if "cache passed back" not in name else "-"
        lines.append(f"| {name} | {decode} | {first} | {cell(row, second)} |")
    lines.append(f"| floor (copy {fl.get('copy_bandwidth_bytes_per_s', 0) / 1e12:.2f} TB/s / "
                 f"{fl.get('bytes_per_decode_step', 0) / 1e9:.2f} GB per step) | {cell(fl, 'floor_decode_tokens_per_s')} | - | - |")
    if fl.get("prefill_products_ms"):
        lines.append(f"first token's matrix products alone (cuBLAS, {PROMPT_POSITIONS} rows): {fl['prefill_products_ms']:.2f} ms "
                     f"= {fl['prefill_products_tflops']:.0f} TFLOP/s; vora's first token: {cell(vora, 'time_to_first_token_ms')} ms")
    if vora.get("decode_tokens_per_s") and fl.get("floor_decode_tokens_per_s"):
        lines.append(f"vora decode = {100 * vora['decode_tokens_per_s'] / fl['floor_decode_tokens_per_s']:.1f}% of the floor"
                     + (f", {vora['decode_tokens_per_s'] / hf_static['decode_tokens_per_s']:.2f}x HF static + compile"
                        if hf_static.get("decode_tokens_per_s") else ""))
    for detail, row in capture.items():
        if "attention_capture_decode_time_increase" in row:
            lines.append(f"attention capture ({detail}, {row.get('attention_captured_tokens', '?')} tokens captured, "
                         f"{row.get('decode_path', '?').split(' ')[0]}): decode {row['decode_tokens_per_s']:.1f} tok/s "
                         f"vs {row['decode_tokens_per_s_without_capture']:.1f} without, interleaved in one process: "
                         f"decode time {100 * row['attention_capture_decode_time_increase']:+.2f}%")
    text = "\n".join(lines)
    with open(os.path.join(folder, "summary.txt"), "w") as f:
        f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    verb = sys.argv[1]
    {"hf": lambda: hf(sys.argv[2], sys.argv[3]), "floor": lambda: floor(sys.argv[2]),
     "summary": lambda: summary(sys.argv[2])}[verb]()
