#!/usr/bin/env python3
"""Expected attention maps of generated tokens on the tiny VoRA checkpoints, from HF transformers.

Independent reference: the committed tests/data/tiny_models checkpoints are loaded into HF
transformers' own Qwen2ForCausalLM / LlamaForCausalLM (eager attention, output_attentions=True,
float32) with the VoRA vision embedding, LoRA blocks and mask of make_tiny_vora.py (which follow the
VoRA reference code). Greedy decoding recomputes the whole sequence each step; for every generated
token, the attention row of the position that predicted it is cut at each image's patch positions:
heads[l][h][j] = layer l, head h, image j (raster order); layers[l][j] = mean over heads.

Also writes tests/data/attention/<variant>_rollout.json: one more pass over the prompt and the answer
(its last token predicted nothing) gives every layer's [L, L] attention; attention rollout (Abnar and
Zuidema, with the residual: A_hat = rownorm(0.5 * mean_h A + 0.5 * I), R = A_hat_b ... A_hat_a) over
each range of ROLLOUT_RANGES, cut at each image's columns for every answer token's row and for one
prompt position (the first text position after the first image: a word of the question), plus that
prompt position's own per-layer and per-head grids (docs/attention-maps.md, "Rollout").

Pixels are a closed formula (pixel_value below) that tests/core/test_attention_reference.cpp
repeats, so no pixel data is committed. Writes tests/data/attention/<variant>.json.
Run inside the toolbox with transformers==4.50.3:
  packaging/env /var/cache/vora-studio/venv-ref/bin/python3 tests/reference/attention_reference.py
"""
import json
import os
import sys

import torch
from safetensors.torch import load_file
import transformers

sys.path.insert(0, os.path.dirname(__file__))
import make_tiny_vora as tiny  # noqa: E402

S = tiny.SENTINEL
STEPS = 4
ROLLOUT_RANGES = {"all": None, "0-1": (0, 1)}  # None: every layer
VARIANTS = ["qwen2_vora_merged", "llama_vora_tied"]
# name: (ids with image sentinels, [(height, width, seed)] per image)
CASES = {
    "square": ([5, 9, S, 20, 21, 22, 23], [(56, 56, 0)]),
    "wide": ([S, 30, 31, 32], [(42, 70, 1)]),           # 3x5 patches
    "tall": ([7, S, 33, 34], [(70, 42, 2)]),            # 5x3 patches
    "two_images": ([8, S, 40, 41, S, 43, 44, 45], [(28, 42, 3), (56, 56, 4)]),
    "adjacent_images": ([6, S, S, 50, 51], [(42, 28, 5), (28, 42, 6)]),
}


def pixel_value(seed, c, y, x):
    """Normalised pixel, exact in float32: ((seed*7 + c*131 + y*37 + x*11) % 23) / 11.5 - 1."""
    return ((seed * 7 + c * 131 + y * 37 + x * 11) % 23) / 11.5 - 1.0


def image(height, width, seed):
    c = torch.arange(3).view(3, 1, 1)
    y = torch.arange(height).view(1, height, 1)
    x = torch.arange(width).view(1, 1, width)
    k = (seed * 7 + c * 131 + y * 37 + x * 11) % 23
    return (k.to(torch.float32) / 11.5 - 1.0).unsqueeze(0)


def load_variant(variant):
    spec = tiny.VARIANTS[variant]
    generator = torch.Generator().manual_seed(0)  # shapes only; the weights come from the checkpoint
    model = tiny.build_llm(spec, generator)
    tiny.apply_lora(model, spec, generator)
    vision = tiny.VisionEmbedding(tiny.BASE["hidden_size"], tiny.BASE["rms_norm_eps"], generator).eval()
    folder = os.path.join(os.path.dirname(__file__), "..", "data", "tiny_models", variant)
    state = load_file(os.path.join(folder, "model.safetensors"))
    llm = {k[len("llm."):]: v for k, v in state.items() if k.startswith("llm.")}
    missing, unexpected = model.load_state_dict(llm, strict=False)
    assert not unexpected and all(m == "lm_head.weight" and spec["tie"] for m in missing), (missing, unexpected)
    if spec["tie"]:
        model.tie_weights()
    names = {v: k for k, v in vision.state().items()}
    with torch.no_grad():
        for key, tensor in state.items():
            if key.startswith("vision_embedding."):
                target = next(p for p, n in names.items() if n == key)
                target.copy_(tensor)
    return model.eval(), vision, spec.get("mask", "default")


def check_loaded(model, vision, mode, variant):
    """The loaded model must reproduce the committed reference logits of make_tiny_vora.py."""
    folder = os.path.join(os.path.dirname(__file__), "..", "data", "tiny_models", variant, "expected")
    expected = load_file(os.path.join(folder, "two_images_large.safetensors"))
    images = [expected["pixel_values_0"], expected["pixel_values_1"]]
    embeddings, is_image = tiny.embed(model, vision, expected["input_ids"].tolist(), images)
    logits = tiny.forward_logits(model, embeddings, is_image, mode)
    assert torch.allclose(logits, expected["logits"], atol=1e-5), (logits - expected["logits"]).abs().max()


def spans_of(is_image, images):
    spans, cursor = [], 0
    for img in images:
        while not is_image[cursor]:
            cursor += 1
        count = (img.shape[2] // 14) * (img.shape[3] // 14)
        spans.append((cursor, count))
        cursor += count
    return spans


def run_case(model, vision, mode, ids, image_specs):
    images = [image(h, w, seed) for h, w, seed in image_specs]
    embeddings, is_image = tiny.embed(model, vision, ids, images)
    spans = spans_of(is_image, images)
    tokens = []
    for _ in range(STEPS):
        out = model(inputs_embeds=embeddings, attention_mask=tiny.additive_mask(is_image, mode),
                    use_cache=False, output_attentions=True)
        token = int(out.logits[0, -1].argmax())
        rows = [a[0, :, -1, :] for a in out.attentions]  # per layer [H, L]
        heads = [[[row[h, s:s + n].tolist() for s, n in spans] for h in range(row.shape[0])] for row in rows]
        layers = [[row.mean(0)[s:s + n].tolist() for s, n in spans] for row in rows]
        share = float(torch.stack([row[:, [p for s, n in spans for p in range(s, s + n)]].sum(-1).mean()
                                   for row in rows]).mean())
        tokens.append({"id": token, "query_position": len(is_image) - 1, "image_share": share,
                       "layers": layers, "heads": heads})
        embeddings = torch.cat([embeddings, model.model.embed_tokens(torch.tensor([[token]]))], dim=1)
        is_image = is_image + [0]
    return {"input_ids": ids,
            "images": [{"height": h, "width": w, "seed": seed, "grid_height": h // 14, "grid_width": w // 14,
                        "first_position": s} for (h, w, seed), (s, _) in zip(image_specs, spans)],
            "tokens": tokens}


def grids_of(row, spans):
    return [row[s:s + n].tolist() for s, n in spans]


def rollout(attentions, first, last):
    """attentions: per layer [H, L, L] -> R = A_hat_last ... A_hat_first, A_hat = rownorm(0.5 mean_h A + 0.5 I)."""
    rolled = None
    for layer in range(first, last + 1):
        mean = attentions[layer].mean(0)
        mixed = 0.5 * mean + 0.5 * torch.eye(mean.shape[0])
        mixed = mixed / mixed.sum(-1, keepdim=True)
        rolled = mixed if rolled is None else mixed @ rolled
    return rolled


def rollout_case(model, vision, mode, ids, image_specs, answer):
    images = [image(h, w, seed) for h, w, seed in image_specs]
    embeddings, is_image = tiny.embed(model, vision, ids, images)
    spans = spans_of(is_image, images)
    prompt_length = len(is_image)
    fed = answer[:-1]
    embeddings = torch.cat([embeddings, model.model.embed_tokens(torch.tensor([fed]))], dim=1)
    is_image = is_image + [0] * len(fed)
    out = model(inputs_embeds=embeddings, attention_mask=tiny.additive_mask(is_image, mode),
                use_cache=False, output_attentions=True)
    attentions = [a[0] for a in out.attentions]  # per layer [H, L, L]
    position = spans[0][0] + spans[0][1]
    while is_image[position]:
        position += 1
    ranges = {}
    for name, bounds in ROLLOUT_RANGES.items():
        first, last = bounds if bounds else (0, len(attentions) - 1)
        rolled = rollout(attentions, first, last)
        ranges[name] = {"first_layer": first, "last_layer": last,
                        "answer": [grids_of(rolled[prompt_length - 1 + t], spans) for t in range(len(answer))],
                        "prompt_position": grids_of(rolled[position], spans)}
    rows = [a[:, position, :] for a in attentions]  # per layer [H, L]
    return {"input_ids": ids, "answer_ids": answer, "prompt_length": prompt_length,
            "images": [{"height": h, "width": w, "seed": seed, "first_position": s}
                       for (h, w, seed), (s, _) in zip(image_specs, spans)],
            "prompt_position": {"position": position,
                                "layers": [grids_of(row.mean(0), spans) for row in rows],
                                "heads": [[grids_of(row[h], spans) for h in range(row.shape[0])] for row in rows]},
            "rollout": ranges}


def main():
    out_dir = os.path.join(os.path.dirname(__file__), "..", "data", "attention")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for variant in VARIANTS:
        model, vision, mode = load_variant(variant)
        with torch.no_grad():
            check_loaded(model, vision, mode, variant)
        result = {"generator": f"tests/reference/attention_reference.py, transformers {transformers.__version__}, "
                               f"torch {torch.__version__}, eager attention, float32",
                  "variant": variant, "cases": {}}
        with torch.no_grad():
            for name, (ids, specs) in CASES.items():
                result["cases"][name] = run_case(model, vision, mode, ids, specs)
                print(variant, name, [t["id"] for t in result["cases"][name]["tokens"]])
        with open(os.path.join(out_dir, variant + ".json"), "w") as f:
            json.dump(result, f, separators=(",", ":"))
            f.write("\n")
        rolled = {"generator": result["generator"], "variant": variant, "cases": {}}
        with torch.no_grad():
            for name, (ids, specs) in CASES.items():
                answer = [t["id"] for t in result["cases"][name]["tokens"]]
                rolled["cases"][name] = rollout_case(model, vision, mode, ids, specs, answer)
        with open(os.path.join(out_dir, variant + "_rollout.json"), "w") as f:
            json.dump(rolled, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
