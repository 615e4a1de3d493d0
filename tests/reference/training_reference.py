#!/usr/bin/env python3
"""Fixtures for the training tests (tests/training), written under tests/data/training:

  tokenizer/        a tiny ChatML byte-level BPE (printable ASCII + "\\n", a few merges, <|endoftext|>,
                    <|im_start|>, <|im_end|> at ids 253-255) so the tiny 256-token models can train on text
  teacher/          a tiny AIMv2-layout distillation teacher (width 24, 2 heads, 3 blocks, patch 14, 56 px)
  gradients.safetensors
                    one training step of the tiny Qwen2 base (tests/data/tiny_models/qwen2_text) with LoRA
                    (r 4, blocks 0-1, all 7 targets, scale 1), a vision embedding and 3 distillation heads:
                    inputs (ids, labels, is_image, pixels), the initial trainable tensors ("init/<name>"),
                    the losses ("loss", "lm_loss", "aux_loss_<k>") and the gradients ("grad/<name>").

Independent reference: the LLM is HF transformers' Qwen2ForCausalLM (eager attention, float32, a 4-D
additive mask), LoRA / vision embedding / heads / teacher are written here from docs/vora-format.md, the LM loss is
HF's shifted cross-entropy. Pairing: head k reads HF hidden_states[k] (k=0 embeddings, k>=1 block k-1
output) and is compared with the output of teacher block k (docs/vora-format.md, "Training").
Run in the reference venv: packaging/env /var/cache/vora-studio/venv-ref/bin/python tests/reference/training_reference.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import Qwen2ForCausalLM

ROOT = os.path.join(os.path.dirname(__file__), "..", "data")
OUT = os.path.join(ROOT, "training")
BASE = os.path.join(ROOT, "tiny_models", "qwen2_text")
TARGETS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
           "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]
RANK, LORA_LAYERS, WIDTH, PATCH, IMAGE = 4, 2, 32, 14, 56
T_WIDTH, T_HEADS, T_LAYERS, T_INTER = 24, 2, 3, 40


def byte_chars():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def write_tokenizer():
    chars = byte_chars()
    vocab = {}
    for b in range(256):
        vocab[chars[b]] = len(vocab)
    merges = [("Ġ", "t"), ("h", "e"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("Ġt", "he")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    added = [dict(id=len(vocab) + i, content=s, single_word=False, lstrip=False, rstrip=False, normalized=False, special=True)
             for i, s in enumerate(specials)]
    qwen = json.load(open(os.path.join(ROOT, "tokenizers", "qwen2", "tokenizer.json")))
    tok = dict(version="1.0", truncation=None, padding=None, added_tokens=added, normalizer=qwen["normalizer"],
               pre_tokenizer=qwen["pre_tokenizer"], post_processor=qwen["post_processor"], decoder=qwen["decoder"],
               model=dict(type="BPE", dropout=None, unk_token=None, continuing_subword_prefix="", end_of_word_suffix="",
                          fuse_unk=False, byte_fallback=False, ignore_merges=False, vocab=vocab,
                          merges=[f"{a} {b}" for a, b in merges]))
    for folder in ("tokenizer", "base"):
        os.makedirs(os.path.join(OUT, folder), exist_ok=True)
        json.dump(tok, open(os.path.join(OUT, folder, "tokenizer.json"), "w"), ensure_ascii=False, indent=1)
        json.dump(dict(eos_token="<|im_end|>", pad_token="<|endoftext|>", bos_token=None, add_bos_token=False),
                  open(os.path.join(OUT, folder, "tokenizer_config.json"), "w"), indent=1)
    return len(vocab) + len(specials)


def write_base(vocab_size, g):
    """qwen2_text with its (tied) embedding grown to the tokenizer's vocabulary: the training base."""
    from safetensors.torch import load_file
    state = load_file(os.path.join(BASE, "model.safetensors"))
    emb = state["model.embed_tokens.weight"]
    extra = torch.randn(vocab_size - emb.shape[0], emb.shape[1], generator=g) * emb.std()
    state["model.embed_tokens.weight"] = torch.cat([emb, extra]).contiguous()
    state.pop("lm_head.weight", None)
    save_file(state, os.path.join(OUT, "base", "model.safetensors"))
    config = json.load(open(os.path.join(BASE, "config.json")))
    config["vocab_size"] = vocab_size
    config["eos_token_id"] = vocab_size - 1
    json.dump(config, open(os.path.join(OUT, "base", "config.json"), "w"), indent=1)


def rms(x, w, eps):
    x32 = x.float()
    return w * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype)


def write_teacher(g):
    t = {"preprocessor.patchifier.proj.weight": torch.randn(T_WIDTH, 3, PATCH, PATCH, generator=g) * 0.05,
         "preprocessor.patchifier.proj.bias": torch.randn(T_WIDTH, generator=g) * 0.05,
         "preprocessor.patchifier.norm.weight": 1 + torch.randn(T_WIDTH, generator=g) * 0.1,
         "preprocessor.pos_embed": torch.randn(1, (IMAGE // PATCH) ** 2, T_WIDTH, generator=g) * 0.1,
         "trunk.post_trunk_norm.weight": torch.ones(T_WIDTH)}
    for i in range(T_LAYERS):
        p = f"trunk.blocks.{i}."
        t[p + "norm_1.weight"] = 1 + torch.randn(T_WIDTH, generator=g) * 0.1
        t[p + "norm_2.weight"] = 1 + torch.randn(T_WIDTH, generator=g) * 0.1
        t[p + "attn.qkv.weight"] = torch.randn(3 * T_WIDTH, T_WIDTH, generator=g) * 0.2
        t[p + "attn.proj.weight"] = torch.randn(T_WIDTH, T_WIDTH, generator=g) * 0.2
        t[p + "mlp.fc1.weight"] = torch.randn(T_INTER, T_WIDTH, generator=g) * 0.2
        t[p + "mlp.fc3.weight"] = torch.randn(T_INTER, T_WIDTH, generator=g) * 0.2
        t[p + "mlp.fc2.weight"] = torch.randn(T_WIDTH, T_INTER, generator=g) * 0.2
    os.makedirs(os.path.join(OUT, "teacher"), exist_ok=True)
    save_file({k: v.contiguous() for k, v in t.items()}, os.path.join(OUT, "teacher", "model.safetensors"))
    json.dump(dict(hidden_size=T_WIDTH, num_attention_heads=T_HEADS, num_hidden_layers=T_LAYERS,
                   intermediate_size=T_INTER, patch_size=PATCH, image_size=IMAGE, rms_norm_eps=1e-5),
              open(os.path.join(OUT, "teacher", "config.json"), "w"), indent=1)
    return t


def teacher_blocks(t, pixels):
    x = F.conv2d(pixels, t["preprocessor.patchifier.proj.weight"], t["preprocessor.patchifier.proj.bias"], stride=PATCH)
    x = rms(x.flatten(2).transpose(1, 2), t["preprocessor.patchifier.norm.weight"], 1e-5)
    n = x.shape[1]
    x = x + t["preprocessor.pos_embed"][:, :n]
    outs = []
    for i in range(T_LAYERS):
        p = f"trunk.blocks.{i}."
        qkv = F.linear(rms(x, t[p + "norm_1.weight"], 1e-5), t[p + "attn.qkv.weight"])
        q, k, v = qkv.view(x.shape[0], n, 3, T_HEADS, -1).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(x.shape[0], n, T_WIDTH)
        x = x + F.linear(a, t[p + "attn.proj.weight"])
        y = rms(x, t[p + "norm_2.weight"], 1e-5)
        x = x + F.linear(F.silu(F.linear(y, t[p + "mlp.fc1.weight"])) * F.linear(y, t[p + "mlp.fc3.weight"]),
                         t[p + "mlp.fc2.weight"])
        outs.append(x.reshape(-1, T_WIDTH))
    return outs


def allowed(is_image):
    n = len(is_image)
    a = torch.ones(n, n, dtype=torch.bool).tril()
    run, runs = -1, []
    for i, f in enumerate(is_image):
        if f and (i == 0 or not is_image[i - 1]):
            run += 1
        runs.append(run if f else -1)
    r = torch.tensor(runs)
    return a | ((r[:, None] == r[None, :]) & (r[:, None] >= 0))


def main():
    vocab_size = write_tokenizer()
    write_base(vocab_size, torch.Generator().manual_seed(7))
    g = torch.Generator().manual_seed(2025)
    teacher = write_teacher(g)
    model = Qwen2ForCausalLM.from_pretrained(BASE, torch_dtype=torch.float32, attn_implementation="eager")
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    cfg = model.config
    d = cfg.hidden_size
    params = {}

    def new(name, tensor):
        params[name] = tensor.clone().requires_grad_(True)
        return params[name]

    for i in range(LORA_LAYERS):
        layer = model.model.layers[i]
        for target in TARGETS:
            owner, attr = target.split(".")
            lin = getattr(getattr(layer, owner), attr)
            name = f"llm.model.layers.{i}.{target}"
            a = new(name + ".lora_A.weight", torch.randn(RANK, lin.in_features, generator=g) * 0.2)
            b = new(name + ".lora_B.weight", torch.randn(lin.out_features, RANK, generator=g) * 0.2)

            def forward(x, lin=lin, a=a, b=b):
                return F.linear(x, lin.weight, lin.bias) + F.linear(F.linear(x, a), b)
            lin.forward = forward
    grid = (IMAGE // PATCH) ** 2
    v = {"proj.weight": new("vision_embedding.patchifier.proj.weight", torch.randn(WIDTH, 3, PATCH, PATCH, generator=g) * 0.05),
         "proj.bias": new("vision_embedding.patchifier.proj.bias", torch.randn(WIDTH, generator=g) * 0.05),
         "norm": new("vision_embedding.patchifier.norm.weight", 1 + torch.randn(WIDTH, generator=g) * 0.1),
         "pos": new("vision_embedding.pos_embed", torch.randn(1, grid, WIDTH, generator=g) * 0.1),
         "out": new("vision_embedding.out_proj.weight", torch.randn(d, WIDTH, generator=g) * 0.2)}
    heads = [(new(f"aux_vision.aux_layer_{k}.0.weight", 1 + torch.randn(d, generator=g) * 0.1),
              new(f"aux_vision.aux_layer_{k}.1.weight", torch.randn(T_WIDTH, d, generator=g) * 0.2)) for k in range(T_LAYERS)]
    init = {name: p.detach().clone() for name, p in params.items()}

    # Batch of 2: sample 0 = 3 text, image, 5 text; sample 1 = image, image, 4 text; right padding.
    pixels = torch.randn(3, 3, IMAGE, IMAGE, generator=g)
    rows = [[("t", [253, 20, 21]), ("i", 0), ("t", [22, 23, 255, 30, 31])],
            [("i", 1), ("i", 2), ("t", [40, 41, 42, 255])]]
    length = max(sum(len(x) if k == "t" else grid for k, x in row) for row in rows)
    ids = torch.zeros(2, length, dtype=torch.long)
    labels = torch.full((2, length), -100, dtype=torch.long)
    is_image = torch.zeros(2, length, dtype=torch.bool)
    supervise = {0: {5, 6, 7}, 1: {2, 3}}  # text-token indices (within the sample's text) that are answers
    for r, row in enumerate(rows):
        pos, text_index = 0, 0
        for kind, x in row:
            if kind == "i":
                is_image[r, pos:pos + grid] = True
                pos += grid
            else:
                for tok in x:
                    ids[r, pos] = tok
                    if text_index in supervise[r]:
                        labels[r, pos] = tok
                    pos += 1
                    text_index += 1
    vis = F.conv2d(pixels, v["proj.weight"], v["proj.bias"], stride=PATCH).flatten(2).transpose(1, 2)
    vis = F.linear(rms(vis, v["norm"], cfg.rms_norm_eps) + v["pos"][:, :grid], v["out"])
    emb = model.model.embed_tokens(ids).masked_scatter(is_image.unsqueeze(-1), vis.reshape(-1, d))
    mask = torch.stack([allowed(is_image[r].tolist()) for r in range(2)])[:, None]
    additive = torch.zeros(mask.shape).masked_fill(~mask, torch.finfo(torch.float32).min)
    out = model(inputs_embeds=emb, attention_mask=additive, output_hidden_states=True, use_cache=False)
    logits = out.logits
    lm = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100)
    targets = teacher_blocks(teacher, pixels)
    aux = []
    for k, (nw, pw) in enumerate(heads):
        h = out.hidden_states[k][is_image]
        proj = F.linear(rms(h, nw, 1e-5), pw)
        aux.append((1 - F.cosine_similarity(proj, targets[k], dim=1)).mean())
    loss = lm + torch.stack(aux).mean()
    loss.backward()
    fixture = {"ids": ids, "labels": labels, "is_image": is_image.to(torch.uint8), "pixels": pixels,
               "loss": loss.detach().reshape(1), "lm_loss": lm.detach().reshape(1)}
    for k, a in enumerate(aux):
        fixture[f"aux_loss_{k}"] = a.detach().reshape(1)
    for name, p in params.items():
        fixture["init/" + name] = init[name]
        fixture["grad/" + name] = p.grad
    save_file({k: v.contiguous() for k, v in fixture.items()}, os.path.join(OUT, "gradients.safetensors"))
    print("loss", loss.item(), "lm", lm.item(), "aux", [a.item() for a in aux])


if __name__ == "__main__":
    main()
