#!/usr/bin/env python3
"""Builds tiny random checkpoints in the official VoRA / HF layouts and their reference outputs.

Independent reference: the LLM forward is HF transformers' own Qwen2ForCausalLM / LlamaForCausalLM
(eager attention, float32, a 4-D mask passed straight through), the vision embedding and the mask
follow the VoRA reference code (Hon-Wong/VoRA: AIMv2Embedding, make_mask "bidirectional"), and LoRA
layers are the reference LoRALayer (y = Wx + b + B(Ax), always with a bias).

Writes, under OUT (default tests/data/tiny_models):
  <variant>/config.json, generation_config.json, model.safetensors (or shards + index)
  <variant>/expected/<case>.safetensors: input_ids (int64, -200 sentinels), pixel_values_<i>
      ([1,3,H,W] float32), logits ([L,V] float32 over the expanded sequence), greedy (int64 [N]),
      is_image (uint8 [L])
Run inside the toolbox with transformers==4.50.3 (see "Tests and reference data" in README.md).
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file
import transformers
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

SENTINEL = -200
GREEDY_STEPS = 8
VOCAB = 256

BASE = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=3,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
            rms_norm_eps=1e-6, initializer_range=0.08, use_cache=False)

VARIANTS = {
    # VoRA on Qwen2, LoRA merged (r -1) but the LoRA blocks keep their extra biases; untied.
    "qwen2_vora_merged": dict(arch="qwen2", vora=True, lora="merged", tie=False, mask="bidirectional",
                              rope_theta=1e6, shards=1),
    # VoRA-7B-Base style: unmerged lora_A/lora_B (+ extra biases), sharded.
    "qwen2_vora_unmerged": dict(arch="qwen2", vora=True, lora="unmerged", tie=False, mask="bidirectional",
                                rope_theta=1e6, shards=2),
    # VoRA on a LLaMA-family LLM: no q/k/v bias, tied embeddings, llama3 rope scaling, causal mode.
    "llama_vora_tied": dict(arch="llama", vora=True, lora="none", tie=True, mask="default",
                            rope_theta=5e5, shards=1,
                            rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                          "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
    # Plain text LLMs (training bases), HF names without the llm. prefix.
    "qwen2_text": dict(arch="qwen2", vora=False, lora="none", tie=True, rope_theta=1e6, shards=1),
    "llama_text": dict(arch="llama", vora=False, lora="none", tie=False, rope_theta=1e4, shards=1),
}

VISION = dict(image_size=56, patch_size=14, vision_embedding_intermediate_size=32)
LORA_LAYERS = 2
LORA_RANK = 8
TARGETS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
           "mlp.up_proj", "mlp.gate_proj", "mlp.down_proj"]


class LoRALayer(nn.Linear):
    """The reference LoRA layer: always a bias; y = F.linear(x, W, b) + B(A(x))."""

    def __init__(self, old, rank, generator):
        super().__init__(old.in_features, old.out_features, bias=True)
        self.weight = old.weight
        with torch.no_grad():
            if old.bias is not None:
                self.bias = old.bias
            else:
                self.bias.copy_(torch.randn(old.out_features, generator=generator) * 0.05)
        self.rank = rank
        if rank > 0:
            self.lora_A = nn.Linear(old.in_features, rank, bias=False)
            self.lora_B = nn.Linear(rank, old.out_features, bias=False)
            with torch.no_grad():
                self.lora_A.weight.copy_(torch.randn(rank, old.in_features, generator=generator) * 0.1)
                # nonzero B so the adapter changes the output (a fresh adapter would be a no-op)
                self.lora_B.weight.copy_(torch.randn(old.out_features, rank, generator=generator) * 0.1)

    def forward(self, x):
        y = F.linear(x, self.weight, self.bias)
        if self.rank > 0:
            y = y + self.lora_B(self.lora_A(x))
        return y


class RMSNorm32(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        out = x.float()
        out = out * torch.rsqrt(out.pow(2).mean(-1, keepdim=True) + self.eps)
        return out.type_as(x) * self.weight


class VisionEmbedding(nn.Module):
    """AIMv2Embedding of the reference: conv patchify, fp32 RMSNorm, position table, projection."""

    def __init__(self, hidden, eps, generator):
        super().__init__()
        width, patch = VISION["vision_embedding_intermediate_size"], VISION["patch_size"]
        grid = VISION["image_size"] // patch
        self.patch = patch
        self.proj = nn.Conv2d(3, width, kernel_size=patch, stride=patch)
        self.norm = RMSNorm32(width, eps)
        self.pos_embed = nn.Parameter(torch.randn(1, grid * grid, width, generator=generator) * 0.5)
        self.out_proj = nn.Linear(width, hidden, bias=False)
        with torch.no_grad():
            self.proj.weight.copy_(torch.randn(self.proj.weight.shape, generator=generator) * 0.05)
            self.proj.bias.copy_(torch.randn(width, generator=generator) * 0.1)
            self.norm.weight.copy_(1.0 + 0.1 * torch.randn(width, generator=generator))
            self.out_proj.weight.copy_(torch.randn(hidden, width, generator=generator) * 0.2)

    def forward(self, x):
        _, _, h, w = x.shape
        tokens = self.norm(self.proj(x).flatten(2).transpose(1, 2))
        n = tokens.shape[1]
        table = self.pos_embed
        if n <= table.size(1):
            tokens = tokens + table[:, :n]
        else:
            side = int(table.size(1) ** 0.5)
            grid = table.view(1, side, side, -1).permute(0, 3, 1, 2)
            grid = F.interpolate(grid, size=(h // self.patch, w // self.patch), mode="bilinear", align_corners=False)
            tokens = tokens + grid.permute(0, 2, 3, 1).reshape(1, n, -1)
        return self.out_proj(tokens)

    def state(self):
        return {
            "vision_embedding.patchifier.proj.weight": self.proj.weight,
            "vision_embedding.patchifier.proj.bias": self.proj.bias,
            "vision_embedding.patchifier.norm.weight": self.norm.weight,
            "vision_embedding.pos_embed": self.pos_embed,
            "vision_embedding.out_proj.weight": self.out_proj.weight,
        }


def allowed_matrix(is_image, mode):
    n = len(is_image)
    allowed = torch.ones(n, n, dtype=torch.bool).tril()
    if mode == "bidirectional":
        run, runs = -1, []
        for i, flag in enumerate(is_image):
            if flag and (i == 0 or not is_image[i - 1]):
                run += 1
            runs.append(run if flag else -1)
        r = torch.tensor(runs)
        allowed |= (r[:, None] == r[None, :]) & (r[:, None] >= 0)
    return allowed


def additive_mask(is_image, mode):
    allowed = allowed_matrix(is_image, mode)
    mask = torch.zeros(allowed.shape, dtype=torch.float32)
    mask.masked_fill_(~allowed, torch.finfo(torch.float32).min)
    return mask[None, None]


def build_llm(spec, generator):
    torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
    kwargs = dict(BASE, rope_theta=spec["rope_theta"], tie_word_embeddings=spec["tie"])
    if spec.get("rope_scaling"):
        kwargs["rope_scaling"] = spec["rope_scaling"]
    if spec["arch"] == "qwen2":
        config = Qwen2Config(**kwargs)
        model = Qwen2ForCausalLM(config)
    else:
        config = LlamaConfig(**kwargs)
        model = LlamaForCausalLM(config)
    config._attn_implementation = "eager"
    model.config._attn_implementation = "eager"
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layernorm.weight") or name.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=generator))
            elif name.endswith(".bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=generator))
    return model.eval()


def apply_lora(model, spec, generator):
    if spec["lora"] == "none":
        return
    rank = LORA_RANK if spec["lora"] == "unmerged" else 0
    for i in range(LORA_LAYERS):
        layer = model.model.layers[i]
        for target in TARGETS:
            parent_name, child = target.split(".")
            parent = getattr(layer, parent_name)
            setattr(parent, child, LoRALayer(getattr(parent, child), rank, generator))


def embed(model, vision, ids, images):
    pieces, is_image, image_iter = [], [], iter(images)
    chunk = []

    def flush():
        if chunk:
            pieces.append(model.model.embed_tokens(torch.tensor([chunk])))
            is_image.extend([0] * len(chunk))
            chunk.clear()

    for token in ids:
        if token == SENTINEL:
            flush()
            patches = vision(next(image_iter))
            pieces.append(patches)
            is_image.extend([1] * patches.shape[1])
        else:
            chunk.append(token)
    flush()
    return torch.cat(pieces, dim=1), is_image


def forward_logits(model, embeddings, is_image, mode):
    out = model(inputs_embeds=embeddings, attention_mask=additive_mask(is_image, mode), use_cache=False)
    return out.logits[0]


def greedy(model, embeddings, is_image, mode, steps):
    tokens = []
    for _ in range(steps):
        logits = forward_logits(model, embeddings, is_image, mode)
        token = int(logits[-1].argmax())
        tokens.append(token)
        embeddings = torch.cat([embeddings, model.model.embed_tokens(torch.tensor([[token]]))], dim=1)
        is_image = is_image + [0]
    return tokens


def cases(vora, generator):
    def image(h, w):
        return torch.randn(1, 3, h, w, generator=generator)

    text = [11, 42, 7, 99, 3, 150, 201, 17, 64]
    out = {"text_only": (text, [])}
    if vora:
        out["one_square_image"] = ([5, 9, SENTINEL, 20, 21, 22, 23], [image(56, 56)])
        out["one_wide_image"] = ([SENTINEL, 30, 31, 32], [image(42, 70)])  # 3x5 = 15 patches <= 16
        out["two_images_large"] = ([8, SENTINEL, 40, 41, SENTINEL, 43, 44, 45], [image(84, 84), image(56, 56)])
        out["adjacent_images"] = ([6, SENTINEL, SENTINEL, 50, 51], [image(28, 42), image(42, 28)])
    return out


def llm_state(model, spec):
    state = {}
    for name, tensor in model.state_dict().items():
        if spec["tie"] and name == "lm_head.weight":
            continue
        if "rotary_emb" in name:
            continue
        key = name.replace(".lora_A.weight", ".lora_A.weight")
        state[("llm." + key) if spec["vora"] else key] = tensor.detach().clone().contiguous()
    return state


def merged_state(model, spec):
    """The merged checkpoint: W + B@A in float32, LoRA dropped, extra biases kept."""
    state = llm_state(model, spec)
    if spec["lora"] != "unmerged":
        return state
    merged = {}
    for key, tensor in state.items():
        if ".lora_" in key:
            continue
        if key.endswith(".weight"):
            a = state.get(key.replace(".weight", ".lora_A.weight"))
            b = state.get(key.replace(".weight", ".lora_B.weight"))
            if a is not None:
                tensor = (tensor.double() + b.double() @ a.double()).float()
        merged[key] = tensor
    return merged


def write_checkpoint(folder, state, shards):
    os.makedirs(folder, exist_ok=True)
    names = sorted(state)
    if shards == 1:
        save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
        return
    weight_map = {}
    per = math.ceil(len(names) / shards)
    for s in range(shards):
        part = names[s * per:(s + 1) * per]
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        save_file({n: state[n] for n in part}, os.path.join(folder, file), metadata={"format": "pt"})
        weight_map.update({n: file for n in part})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": sum(t.numel() * 4 for t in state.values())}, "weight_map": weight_map},
                  f, indent=1, sort_keys=True)


def write_config(folder, model, spec):
    config = model.config.to_dict()
    for drop in ("_attn_implementation_autoset", "transformers_version", "use_cache", "_name_or_path"):
        config.pop(drop, None)
    if spec["vora"]:
        config.update(model_type="vora", architectures=["VoRAForCausalLM"], llm=f"tiny-{spec['arch']}",
                      aux_vision="", vision_embedding="AIMv2Embedding", vision_attention_mask=spec["mask"],
                      lora={"layers": LORA_LAYERS if spec["lora"] != "none" else 0,
                            "r": LORA_RANK if spec["lora"] == "unmerged" else -1, "target_modules": TARGETS},
                      **VISION)
    config["eos_token_id"] = [2, 3]
    config["torch_dtype"] = "float32"
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=1, sort_keys=True)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump({"do_sample": True, "temperature": 0.7, "top_p": 0.8, "top_k": 20, "repetition_penalty": 1.05,
                   "eos_token_id": [2, 3], "pad_token_id": 1}, f, indent=1)


def main():
    out_root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data", "tiny_models")
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    torch.set_num_threads(1)
    for index, (variant, spec) in enumerate(VARIANTS.items()):
        generator = torch.Generator().manual_seed(1000 + index)
        model = build_llm(spec, generator)
        apply_lora(model, spec, generator)
        vision = VisionEmbedding(BASE["hidden_size"], BASE["rms_norm_eps"], generator).eval() if spec["vora"] else None
        folder = os.path.join(out_root, variant)
        state = llm_state(model, spec)
        if vision is not None:
            state.update({k: v.detach().clone().contiguous() for k, v in vision.state().items()})
        write_checkpoint(folder, state, spec["shards"])
        write_config(folder, model, spec)
        if spec["lora"] == "unmerged":
            merged = merged_state(model, spec)
            if vision is not None:
                merged.update({k: v.detach().clone().contiguous() for k, v in vision.state().items()})
            write_checkpoint(folder + "_premerged", merged, 1)
            write_config(folder + "_premerged", model, dict(spec, lora="merged"))
        os.makedirs(os.path.join(folder, "expected"), exist_ok=True)
        mode = spec.get("mask", "default")
        with torch.no_grad():
            for case, (ids, images) in cases(spec["vora"], generator).items():
                embeddings, is_image = embed(model, vision, ids, images)
                logits = forward_logits(model, embeddings, is_image, mode)
                tokens = greedy(model, embeddings, is_image, mode, GREEDY_STEPS)
                tensors = {"input_ids": torch.tensor(ids, dtype=torch.int64), "logits": logits.contiguous(),
                           "greedy": torch.tensor(tokens, dtype=torch.int64),
                           "is_image": torch.tensor(is_image, dtype=torch.uint8)}
                for i, img in enumerate(images):
                    tensors[f"pixel_values_{i}"] = img.contiguous()
                save_file(tensors, os.path.join(folder, "expected", case + ".safetensors"))
                print(f"{variant}/{case}: L={len(is_image)} greedy={tokens}")


if __name__ == "__main__":
    main()
