#!/usr/bin/env python3
"""GPU pre-training check on real Qwen2.5-0.5B shapes (random weights, no download).

  make ROOT         writes ROOT/model (plain Qwen2 0.5B, bf16, tokenizer), ROOT/teacher (AIMv2-layout ViT,
                    width 1024, DEPTH blocks, names as training/distillation.h documents), ROOT/data.jsonl with
                    448x448 pixel files (1024 image tokens each) and short answers
  torch-loop ROOT   the same step in PyTorch + transformers (frozen bf16 LLM, LoRA on the first DEPTH blocks,
                    fresh vision embedding, block-wise distillation, AdamW, gradient checkpointing): step time
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

DEPTH = 12          # LoRA blocks = teacher blocks = distillation heads
RANK = 256
BATCH = 4
T_WIDTH, T_HEADS, T_FFN, PATCH, IMAGE = 1024, 8, 2816, 14, 448
LLM = dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
           num_key_value_heads=2, max_position_embeddings=32768, rms_norm_eps=1e-6, rope_theta=1000000.0,
           tie_word_embeddings=True, bos_token_id=151643, eos_token_id=151645, use_sliding_window=False)


class Teacher(nn.Module):
    def __init__(self):
        super().__init__()
        C = T_WIDTH
        self.proj = nn.Conv2d(3, C, PATCH, PATCH)
        self.norm = nn.RMSNorm(C, eps=1e-5)
        self.pos = nn.Parameter(torch.randn(1, (IMAGE // PATCH) ** 2, C) * 0.02)
        self.blocks = nn.ModuleList()
        for _ in range(DEPTH):
            b = nn.Module()
            b.norm_1, b.norm_2 = nn.RMSNorm(C, eps=1e-5), nn.RMSNorm(C, eps=1e-5)
            b.qkv, b.out = nn.Linear(C, 3 * C, bias=False), nn.Linear(C, C, bias=False)
            b.fc1, b.fc3, b.fc2 = nn.Linear(C, T_FFN, bias=False), nn.Linear(C, T_FFN, bias=False), nn.Linear(T_FFN, C, bias=False)
            self.blocks.append(b)

    def forward(self, x):
        x = self.norm(self.proj(x).flatten(2).transpose(1, 2)) + self.pos
        outs = []
        for b in self.blocks:
            B, N, C = x.shape
            q, k, v = b.qkv(b.norm_1(x)).view(B, N, 3, T_HEADS, C // T_HEADS).permute(2, 0, 3, 1, 4)
            x = x + b.out(F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(B, N, C))
            h = b.norm_2(x)
            x = x + b.fc2(F.silu(b.fc1(h)) * b.fc3(h))
            outs.append(x)
        return outs

    def state(self):
        s = {"preprocessor.patchifier.proj.weight": self.proj.weight, "preprocessor.patchifier.proj.bias": self.proj.bias,
             "preprocessor.patchifier.norm.weight": self.norm.weight, "preprocessor.pos_embed": self.pos}
        for i, b in enumerate(self.blocks):
            p = f"trunk.blocks.{i}."
            s.update({p + "norm_1.weight": b.norm_1.weight, p + "norm_2.weight": b.norm_2.weight,
                      p + "attn.qkv.weight": b.qkv.weight, p + "attn.proj.weight": b.out.weight,
                      p + "mlp.fc1.weight": b.fc1.weight, p + "mlp.fc3.weight": b.fc3.weight,
                      p + "mlp.fc2.weight": b.fc2.weight})
        return {k: v.detach().to(torch.bfloat16).contiguous().cpu() for k, v in s.items()}


def make(root):
    from transformers import Qwen2Config, Qwen2ForCausalLM
    torch.manual_seed(0)
    os.makedirs(f"{root}/model", exist_ok=True)
    os.makedirs(f"{root}/teacher", exist_ok=True)
    os.makedirs(f"{root}/images", exist_ok=True)
    model = Qwen2ForCausalLM(Qwen2Config(**LLM)).to(torch.bfloat16)
    state = {k: v.contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    save_file(state, f"{root}/model/model.safetensors", metadata={"format": "pt"})
    config = dict(LLM, model_type="qwen2", architectures=["Qwen2ForCausalLM"], torch_dtype="bfloat16")
    json.dump(config, open(f"{root}/model/config.json", "w"))
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        open(f"{root}/model/{name}", "wb").write(open(f"{here}/../data/tokenizers/qwen2/{name}", "rb").read())
    teacher = Teacher()
    save_file(teacher.state(), f"{root}/teacher/model.safetensors")
    json.dump({"hidden_size": T_WIDTH, "num_attention_heads": T_HEADS, "num_hidden_layers": DEPTH,
               "intermediate_size": T_FFN, "patch_size": PATCH, "image_size": IMAGE, "rms_norm_eps": 1e-5},
              open(f"{root}/teacher/config.json", "w"))
    words = "the a cat dog sits on red blue mat table near window light shadow small large".split()
    with open(f"{root}/data.jsonl", "w") as f:
        for i in range(64):
            save_file({"pixel_values": torch.randn(1, 3, IMAGE, IMAGE)}, f"{root}/images/{i}.safetensors")
            answer = " ".join(words[(i * 7 + j) % len(words)] for j in range(40))
            f.write(json.dumps({"id": str(i), "frames": [f"images/{i}.safetensors"],
                                "conversations": [{"from": "human", "value": "<image>Describe the image."},
                                                  {"from": "gpt", "value": answer}]}) + "\n")
    print(json.dumps({"made": root, "llm_parameters": sum(v.numel() for v in state.values()),
                      "teacher_parameters": sum(v.numel() for v in teacher.state().values())}))


class LoRALinear(nn.Module):
    def __init__(self, base):
        super().__init__()
        self.base = base
        self.A = nn.Parameter(torch.empty(RANK, base.in_features, device=base.weight.device))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.B = nn.Parameter(torch.zeros(base.out_features, RANK, device=base.weight.device))

    def forward(self, x):
        return self.base(x) + F.linear(F.linear(x, self.A.to(x.dtype)), self.B.to(x.dtype))


def torch_loop(root, steps=12):
    from transformers import Qwen2Config, Qwen2ForCausalLM
    torch.manual_seed(0)
    dev = "cuda"
    model = Qwen2ForCausalLM(Qwen2Config(**LLM)).to(dev, torch.bfloat16)
    model.requires_grad_(False)
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    trainable = []
    for i in range(DEPTH):
        layer = model.model.layers[i]
        for parent, names in ((layer.self_attn, ("q_proj", "k_proj", "v_proj", "o_proj")), (layer.mlp, ("gate_proj", "up_proj", "down_proj"))):
            for n in names:
                lora = LoRALinear(getattr(parent, n))
                setattr(parent, n, lora)
                trainable += [lora.A, lora.B]
    D = LLM["hidden_size"]
    vis_conv = nn.Conv2d(3, 1536, PATCH, PATCH).to(dev)
    vis_norm = nn.RMSNorm(1536, eps=1e-6).to(dev)
    vis_pos = nn.Parameter(torch.zeros(1, 1024, 1536, device=dev))
    vis_out = nn.Linear(1536, D, bias=False).to(dev)
    heads = nn.ModuleList([nn.Sequential(nn.RMSNorm(D, eps=1e-5), nn.Linear(D, T_WIDTH, bias=False)) for _ in range(DEPTH)]).to(dev)
    trainable += list(vis_conv.parameters()) + list(vis_norm.parameters()) + [vis_pos] + list(vis_out.parameters()) + list(heads.parameters())
    teacher = Teacher().to(dev, torch.bfloat16).requires_grad_(False)
    opt = torch.optim.AdamW(trainable, lr=2e-4, weight_decay=0.0)
    text = 64
    ids = torch.randint(0, 150000, (BATCH, text), device=dev)
    labels = ids.clone()
    labels[:, :16] = -100
    L = 1024 + text
    is_image = torch.zeros(L, dtype=torch.bool, device=dev)
    is_image[8:8 + 1024] = True
    allowed = torch.ones(L, L, dtype=torch.bool, device=dev).tril() | (is_image[:, None] & is_image[None, :])
    mask = torch.zeros(1, 1, L, L, dtype=torch.bfloat16, device=dev).masked_fill(~allowed, torch.finfo(torch.bfloat16).min)
    times = []
    for step in range(steps):
        torch.cuda.synchronize()
        t = time.time()
        pixels = torch.randn(BATCH, 3, IMAGE, IMAGE, device=dev)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            v = vis_norm(vis_conv(pixels).flatten(2).transpose(1, 2)) + vis_pos
            v = vis_out(v)
            emb = model.model.embed_tokens(ids)
            x = torch.cat([emb[:, :8], v.to(torch.bfloat16), emb[:, 8:]], dim=1)
            full_labels = torch.cat([labels[:, :8], torch.full((BATCH, 1024), -100, device=dev), labels[:, 8:]], dim=1)
            out = model(inputs_embeds=x, attention_mask=mask.expand(BATCH, 1, L, L), labels=full_labels, output_hidden_states=True)
            with torch.no_grad():
                targets = teacher(pixels.to(torch.bfloat16))
            aux = 0
            for k in range(DEPTH):
                h = heads[k](out.hidden_states[k][:, is_image])
                aux = aux + (1 - F.cosine_similarity(h.float(), targets[k].float(), dim=-1)).mean()
            loss = out.loss + aux / DEPTH
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        times.append(time.time() - t)
    step_s = sorted(times[2:])[len(times[2:]) // 2]
    print(json.dumps({"impl": "pytorch+transformers", "batch": BATCH, "tokens_per_step": BATCH * L, "step_s": round(step_s, 4),
                      "tokens_per_s": round(BATCH * L / step_s, 1), "peak_memory_bytes": torch.cuda.max_memory_allocated(),
                      "loss": round(float(loss), 4)}))


if __name__ == "__main__":
    {"make": lambda: make(sys.argv[2]), "torch-loop": lambda: torch_loop(sys.argv[2])}[sys.argv[1]]()
