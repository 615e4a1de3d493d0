#!/usr/bin/env python3
"""GPU benchmark and bf16 parity for the real VoRA-7B shapes, on random weights (no download).

  make DIR            write a VoRA-7B-shaped checkpoint (Qwen2.5-7B LLM + AIMv2 vision embedding, bf16,
                      sharded safetensors, "llm." prefix) with the Qwen2 tokenizer, and a random pixel file
  hf-bench DIR        HF transformers on the same weights: prefill of 1024 image + 64 text tokens
                      (inputs_embeds) and generate() decode speed at batch 1, one JSON line
  reference DIR OUT   HF logits for a chat prompt with the image, the VoRA bidirectional mask passed as a
                      4-D additive mask (checked against the plain causal path on text first)
  compare REF DUMP    compare `vora run --dump-logits` with the reference
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

CONFIG = dict(vocab_size=152064, hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
              num_attention_heads=28, num_key_value_heads=4, max_position_embeddings=32768, rms_norm_eps=1e-6,
              rope_theta=1000000.0, tie_word_embeddings=False, hidden_act="silu", bos_token_id=151643,
              eos_token_id=151645, sliding_window=None, use_sliding_window=False)
WIDTH, PATCH, IMAGE = 1536, 14, 448
PROMPT = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<image>Describe this image in detail.<|im_end|>\n<|im_start|>assistant\n"


def hf_model(dtype=torch.bfloat16):
    from transformers import Qwen2Config, Qwen2ForCausalLM
    config = Qwen2Config(**CONFIG)
    torch.manual_seed(0)
    with torch.device("cuda"):
        old = torch.get_default_dtype()
        torch.set_default_dtype(dtype)
        model = Qwen2ForCausalLM(config)
        torch.set_default_dtype(old)
    return model.eval()


def vision_state(generator):
    g = generator
    def rnd(*shape, scale):
        return (torch.randn(*shape, generator=g, device="cuda") * scale).to(torch.bfloat16)
    return {
        "vision_embedding.patchifier.proj.weight": rnd(WIDTH, 3, PATCH, PATCH, scale=0.02),
        "vision_embedding.patchifier.proj.bias": rnd(WIDTH, scale=0.02),
        "vision_embedding.patchifier.norm.weight": (1 + rnd(WIDTH, scale=0.05)).to(torch.bfloat16),
        "vision_embedding.pos_embed": rnd(1, (IMAGE // PATCH) ** 2, WIDTH, scale=0.02),
        "vision_embedding.out_proj.weight": rnd(CONFIG["hidden_size"], WIDTH, scale=0.02),
    }


def make(folder):
    os.makedirs(folder, exist_ok=True)
    start = time.time()
    model = hf_model()
    state = {"llm." + k: v.contiguous() for k, v in model.state_dict().items()}
    state.update(vision_state(torch.Generator(device="cuda").manual_seed(1)))
    shard, size, index, n = {}, 0, {}, 0
    names = sorted(state)
    def flush():
        nonlocal shard, size, n
        if shard:
            n += 1
            name = f"model-{n:05d}.safetensors"
            save_file({k: t.cpu() for k, t in shard.items()}, os.path.join(folder, name), metadata={"format": "pt"})
            index.update({k: name for k in shard})
            shard, size = {}, 0
    for name in names:
        shard[name] = state[name]
        size += state[name].numel() * 2
        if size > 4 << 30:
            flush()
    flush()
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": index}, f)
    config = dict(CONFIG, model_type="vora", architectures=["VoRAForCausalLM"], torch_dtype="bfloat16",
                  image_size=IMAGE, patch_size=PATCH, vision_embedding="AIMv2Embedding",
                  vision_embedding_intermediate_size=WIDTH, vision_attention_mask="bidirectional",
                  lora={"layers": 24, "r": -1}, llm="random-qwen2.5-7b", aux_vision="")
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump({"do_sample": True, "temperature": 0.7, "top_p": 0.8, "top_k": 20, "repetition_penalty": 1.05,
                   "eos_token_id": [151645, 151643]}, f)
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        with open(os.path.join(here, "..", "data", "tokenizers", "qwen2", name), "rb") as src, \
             open(os.path.join(folder, name), "wb") as dst:
            dst.write(src.read())
    pixels = torch.randn(1, 3, IMAGE, IMAGE, generator=torch.Generator().manual_seed(2))
    save_file({"pixel_values": pixels}, os.path.join(folder, "pixels.safetensors"))
    print(json.dumps({"made": folder, "seconds": round(time.time() - start, 1),
                      "parameters": sum(t.numel() for t in state.values())}))


def hf_bench(folder):
    import transformers
    model = hf_model()  # same seed -> same LLM weights as `make`
    torch.manual_seed(3)
    embeds = torch.randn(1, 1024 + 64, CONFIG["hidden_size"], device="cuda", dtype=torch.bfloat16) * 0.02
    mask = torch.ones(1, embeds.shape[1], dtype=torch.long, device="cuda")
    with torch.no_grad():
        for _ in range(2):
            model(inputs_embeds=embeds, attention_mask=mask)
        torch.cuda.synchronize()
        times = []
        for _ in range(3):
            t = time.time()
            model(inputs_embeds=embeds, attention_mask=mask)
            torch.cuda.synchronize()
            times.append((time.time() - t) * 1000)
        prefill = sorted(times)[1]
        new = 128
        model.generate(inputs_embeds=embeds, attention_mask=mask, max_new_tokens=4, do_sample=False)
        torch.cuda.synchronize()
        t = time.time()
        out = model.generate(inputs_embeds=embeds, attention_mask=mask, max_new_tokens=new, min_new_tokens=new,
                             do_sample=False)
        torch.cuda.synchronize()
        total = time.time() - t
    print(json.dumps({"impl": "hf-transformers", "version": transformers.__version__, "prefill_ms": round(prefill, 2),
                      "generate_s": round(total, 3), "new_tokens": int(out.shape[1]),
                      "decode_tokens_per_s": round((new - 1) / (total - prefill / 1000), 2),
                      "peak_memory_bytes": torch.cuda.max_memory_allocated()}))


def vision_forward(state, pixels):
    x = F.conv2d(pixels.to(torch.bfloat16), state["vision_embedding.patchifier.proj.weight"],
                 state["vision_embedding.patchifier.proj.bias"], stride=PATCH).flatten(2).transpose(1, 2)
    n = x.float()
    n = n * torch.rsqrt(n.pow(2).mean(-1, keepdim=True) + 1e-6)
    x = n.type_as(x) * state["vision_embedding.patchifier.norm.weight"]
    x = x + state["vision_embedding.pos_embed"][:, :x.shape[1]]
    return F.linear(x, state["vision_embedding.out_proj.weight"])


def reference(folder, out):
    from tokenizers import Tokenizer
    model = hf_model()
    tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    chunks = PROMPT.split("<image>")
    ids = []
    for i, chunk in enumerate(chunks):
        if i:
            ids.append(-200)
        ids.extend(tok.encode(chunk, add_special_tokens=False).ids)
    shard_state = {}
    for name in os.listdir(folder):
        if name.startswith("model-") and name.endswith(".safetensors"):
            part = load_file(os.path.join(folder, name), device="cuda")
            shard_state.update({k: v for k, v in part.items() if k.startswith("vision_embedding.")})
    pixels = load_file(os.path.join(folder, "pixels.safetensors"), device="cuda")["pixel_values"]
    with torch.no_grad():
        image = vision_forward(shard_state, pixels)
        cut = ids.index(-200)
        emb = model.model.embed_tokens
        before = emb(torch.tensor([ids[:cut]], device="cuda"))
        after = emb(torch.tensor([ids[cut + 1:]], device="cuda"))
        x = torch.cat([before, image.to(torch.bfloat16), after], dim=1)
        L = x.shape[1]
        is_image = torch.zeros(L, dtype=torch.bool, device="cuda")
        is_image[cut:cut + image.shape[1]] = True
        allowed = torch.ones(L, L, dtype=torch.bool, device="cuda").tril()
        allowed |= is_image[:, None] & is_image[None, :]
        additive = torch.zeros(1, 1, L, L, dtype=torch.bfloat16, device="cuda")
        additive.masked_fill_(~allowed, torch.finfo(torch.bfloat16).min)
        # The 4-D mask must pass through unchanged: check it against the causal path on text.
        causal4d = torch.zeros(1, 1, before.shape[1], before.shape[1], dtype=torch.bfloat16, device="cuda")
        causal4d.masked_fill_(~torch.ones_like(causal4d, dtype=torch.bool).tril(), torch.finfo(torch.bfloat16).min)
        a = model(inputs_embeds=before).logits.float()
        b = model(inputs_embeds=before, attention_mask=causal4d).logits.float()
        logits = model(inputs_embeds=x, attention_mask=additive).logits[0].float()
    save_file({"argmax": logits.argmax(-1).cpu(), "tail": logits[-16:].cpu().contiguous(),
               "input_ids": torch.tensor(ids)}, out)
    print(json.dumps({"reference": out, "positions": L, "mask_passthrough_max_diff": float((a - b).abs().max())}))


def compare(ref_path, dump_path):
    ref = load_file(ref_path)
    dump = load_file(dump_path)
    ours = dump["logits"]
    same_ids = torch.equal(ref["input_ids"], dump["input_ids"])
    agree = (ours.argmax(-1) == ref["argmax"]).float().mean().item()
    tail_diff = (ours[-16:] - ref["tail"]).abs()
    print(json.dumps({"same_input_ids": same_ids, "positions": ours.shape[0],
                      "top1_agreement": round(agree, 4), "tail_max_abs_diff": round(tail_diff.max().item(), 4),
                      "tail_mean_abs_diff": round(tail_diff.mean().item(), 5),
                      "tail_logit_scale": round(ref["tail"].abs().mean().item(), 4)}))


if __name__ == "__main__":
    verb = sys.argv[1]
    {"make": lambda: make(sys.argv[2]), "hf-bench": lambda: hf_bench(sys.argv[2]),
     "reference": lambda: reference(sys.argv[2], sys.argv[3]),
     "compare": lambda: compare(sys.argv[2], sys.argv[3])}[verb]()
