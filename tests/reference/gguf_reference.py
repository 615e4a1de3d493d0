#!/usr/bin/env python3
"""Tiny GGUF files and what independent implementations make of them (tests/core/test_gguf_*.cpp).

Pinned: gguf==0.19.0, transformers==4.50.3 (+ accelerate, which its GGUF loading needs), tokenizers==0.21.1,
numpy, torch 2.6 (Debian), sentencepiece==0.2.1; llama-cpp-python optional. Run in the
reference venv inside the toolbox (see README.md "Tests and reference data"):
    packaging/env /var/cache/vora-studio/venv-ref/bin/python tests/reference/gguf_reference.py

Writes under tests/data/gguf/:
  tiny_types.gguf: every tensor type the importer reads (F32, F16, BF16, Q8_0, Q4_0, Q4_1 quantised
      by gguf.quants; Q4_K, Q6_K as random blocks with finite scales, since gguf.quants has no quantiser
      for them) in 1 to 4 dimensions; F32/F16/BF16 tensors hold subnormals, infinities, NaNs and -0.
  tiny_llama.gguf, tiny_qwen2.gguf: written by the gguf package's GGUFWriter, with every tensor type
      above among their weights. The llama file's q/k rows are permuted as llama.cpp's
      convert_hf_to_gguf.py does (LlamaModel.permute); its tokenizer is byte-level BPE with the "smollm"
      pre-tokenizer, the qwen2 file's with "qwen2"; both were trained here with HF tokenizers.
  tiny_expected.json, per file:
      "tensors": HF name -> shape, SHA-256 of the float32 bytes gguf.quants.dequantize gives (rows
          put back in HF order for q/k: the inverse of permute(), found by argsort), SHA-256 of those
          floats converted by torch to bfloat16, and the first values (for messages);
      "tokens": corpus text -> ids from transformers' own GGUF tokenizer
          (AutoTokenizer.from_pretrained(dir, gguf_file=...)) and from an HF tokenizers pipeline built
          the way the model's HF tokenizer.json is (SmolLM2: Digits(individual_digits) + ByteLevel);
      "chats": conversations rendered by transformers from the GGUF's Jinja chat template, and
          their ids under the HF pipeline;
  digits_contiguous_tokenizer.json (+ "digits_contiguous" ids): Digits(individual_digits=False);
  tiny_spm_tokenizer.gguf: Mistral-7B's SentencePiece vocabulary as llama.cpp stores it (pieces,
      scores, types, no merges), tokenizer metadata only; checked against SentencePiece's own ids,
      with the SHA-256 of the merge list transformers' generate_merges derives from the scores;
  tiny_<arch>_logits.safetensors: input_ids (int64) and float32 logits [L, V] of transformers'
      AutoModelForCausalLM.from_pretrained(dir, gguf_file=..., torch_dtype=float32), eager attention.

With --smollm2 GGUF (the file packaging/demo-model caches): smollm2_expected.json with the tokenizer
ids of many strings and numbers (0..9999, numbers in sentences, with separators and decimals) from
the HF tokenizers pipeline of SmolLM2's tokenizer.json, and which of them transformers' GGUF tokenizer
(and llama-cpp-python, when installed) agree with; smollm2_logits.json with transformers' float32
logits (top 16 per position and the log-sum-exp) for a few chat prompts.
"""
import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch
from gguf_smollm2_reference import llama_cpp_encoder
import gguf
from gguf import GGMLQuantizationType as Q
from safetensors.torch import save_file
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers, Regex

TESTS = Path(__file__).resolve().parents[1]
OUT = TESTS / "data" / "gguf"
CORPUS = TESTS / "data" / "tokenizer_parity" / "corpus.jsonl"

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
USER_TOKEN = "<tool>"
QWEN2_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
               r"\s*[\r\n]+|\s+(?!\S)|\s+")
CHAT_TEMPLATE = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
                 "{{ '<|im_start|>system\nYou are a tiny test model<|im_end|>\n' }}{% endif %}"
                 "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
                 "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")

DIMS = dict(hidden=256, heads=4, kv_heads=2, layers=2, intermediate=128, context=512)
# Tensor types per layer: every type the importer reads appears in both files.
LAYER_TYPES = [
    {"attn_q": Q.Q4_0, "attn_k": Q.Q4_1, "attn_v": Q.Q8_0, "attn_output": Q.Q4_K, "ffn_gate": Q.Q6_K,
     "ffn_up": Q.F16, "ffn_down": Q.BF16},
    {"attn_q": Q.Q4_K, "attn_k": Q.Q6_K, "attn_v": Q.F16, "attn_output": Q.BF16, "ffn_gate": Q.Q4_0,
     "ffn_up": Q.Q4_1, "ffn_down": Q.Q8_0},
]
HF_NAMES = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
            "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
            "ffn_down": "mlp.down_proj"}


def permute(weights, n_head, n_head_kv):
    """llama.cpp convert_hf_to_gguf.py LlamaModel.permute, for q (n_head) and k (n_head_kv)."""
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def corpus_lines(limit):
    lines = [json.loads(l) for l in CORPUS.read_text(encoding="utf-8").splitlines()]
    return lines[:limit]


def number_strings():
    rng = np.random.default_rng(7)
    out = [str(n) for n in [0, 7, 10, 42, 99, 100, 256, 1000, 2024, 9999]]
    for _ in range(40):
        a, b = int(rng.integers(0, 10000)), int(rng.integers(0, 100))
        out += [f"The number is {a}.", f"{a:,} people", f"{a}.{b:02d}", f" {a}", f"x{a}y", f"{a}-{b}",
                f"What number is written in the image? {a}"]
    out += ["١٢٣ and ४५६ and ½ and ²", "3.14159", "1,000,000", "v1.2.3", "  12  34  "]
    out += ["a\x04b", "\x04\x06\x04", " \x06 7\x04"]  # bytes the tiny llama vocabulary lacks
    return out


def byte_level_char(byte):
    """GPT-2's bytes_to_unicode for one byte."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    if byte in printable:
        return chr(byte)
    return chr(256 + [b for b in range(256) if b not in printable].index(byte))


def train_tokenizer(kind, lines):
    tok = Tokenizer(models.BPE())
    if kind == "smollm":
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                     pre_tokenizers.ByteLevel(add_prefix_space=False)])
    else:
        tok.normalizer = normalizers.NFC()
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(QWEN2_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=420, special_tokens=SPECIALS, min_frequency=2,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(lines, trainer)
    tok.add_tokens([USER_TOKEN])
    model = json.loads(tok.to_str())["model"]
    vocab = {**model["vocab"], USER_TOKEN: tok.token_to_id(USER_TOKEN)}
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    assert [vocab[t] for t in tokens] == list(range(len(tokens)))
    merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
    if kind == "smollm":  # like SmolLM2's vocabulary, lack the symbols of a few control bytes
        missing = {byte_level_char(0x04), byte_level_char(0x06)}
        assert not any(part in missing for m in merges for part in m.split(" "))
        tokens = [t for t in tokens if t not in missing]
    return tok, tokens, merges


def reference_pipeline(kind, tokens, merges):
    """The HF tokenizers pipeline the importer's tokenizer.json must behave as."""
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab, [tuple(m.split(" ")) for m in merges], ignore_merges=False))
    if kind == "smollm":
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                     pre_tokenizers.ByteLevel(add_prefix_space=False)])
    else:
        tok.normalizer = normalizers.NFC()
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(QWEN2_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(SPECIALS)
    tok.add_tokens([USER_TOKEN])
    return tok


def random_k_blocks(rng, rows, cols, qtype):
    block_elems, block_bytes = gguf.GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(rows, cols // block_elems, block_bytes), dtype=np.uint8)
    # Scales for weights of about +-0.05 (q * 6-bit scale reaches ~950 for Q4_K, ~4000 for Q6_K);
    # the smallest are f16 subnormals.
    low, high = (1e-5, 1e-4) if qtype == Q.Q4_K else (2e-6, 2e-5)
    scale = rng.uniform(low, high, size=blocks.shape[:2]).astype(np.float16).view(np.uint8)
    if qtype == Q.Q4_K:  # d and dmin at the start
        blocks[..., 0:2] = scale.reshape(*blocks.shape[:2], 2)
        dmin = rng.uniform(low, high, size=blocks.shape[:2]).astype(np.float16).view(np.uint8)
        blocks[..., 2:4] = dmin.reshape(*blocks.shape[:2], 2)
    else:  # Q6_K: d at the end
        blocks[..., block_bytes - 2:] = scale.reshape(*blocks.shape[:2], 2)
    return blocks.reshape(rows, -1)


# Bit patterns every decoder must carry over exactly: subnormals, infinities, quiet NaNs with a
# payload, -0 (F16 and BF16 encodings).
F16_SPECIALS = [0x0001, 0x8001, 0x03FF, 0x0400, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0xFE01, 0x8000]
BF16_SPECIALS = [0x0001, 0x807F, 0x0080, 0x7F7F, 0x7F80, 0xFF80, 0x7FC0, 0xFFC1, 0x8000]


def encode_tensor(rng, values, qtype, specials=False):
    """-> (GGUF bytes as the writer takes them, float32 the gguf package dequantises them to)."""
    if qtype == Q.F32:
        data = values.astype(np.float32)
        if specials:
            data.reshape(-1)[:4] = [np.inf, -np.inf, np.nan, -0.0]
        return data, data
    if qtype in (Q.Q4_K, Q.Q6_K):
        raw = random_k_blocks(rng, int(np.prod(values.shape[:-1])), values.shape[-1], qtype)
        raw = raw.reshape(*values.shape[:-1], -1)
    else:
        raw = gguf.quants.quantize(values.astype(np.float32), qtype)
        if specials and qtype in (Q.F16, Q.BF16):
            bits = F16_SPECIALS if qtype == Q.F16 else BF16_SPECIALS
            raw.reshape(-1).view(np.uint16)[:len(bits)] = bits
    return raw, gguf.quants.dequantize(raw, qtype).astype(np.float32).reshape(values.shape)


def build_types_file():
    """tiny_types.gguf: every type the importer reads, in 1-4 dimensions, with special values."""
    rng = np.random.default_rng(3)
    path = OUT / "tiny_types.gguf"
    writer = gguf.GGUFWriter(str(path), "vora-test")
    expected = {}
    shapes = [(512,), (3, 256), (2, 3, 256), (2, 1, 2, 256)]
    for qtype in (Q.F32, Q.F16, Q.BF16, Q.Q8_0, Q.Q4_0, Q.Q4_1, Q.Q4_K, Q.Q6_K):
        for i, shape in enumerate(shapes):
            values = rng.normal(0.0, 2.0 if i % 2 else 0.05, size=shape).astype(np.float32)
            raw, dequant = encode_tensor(rng, values, qtype, specials=i == 1)
            name = f"{qtype.name.lower()}_{len(shape)}d"
            writer.add_tensor(name, raw, raw_dtype=None if qtype == Q.F32 else qtype)
            expected[name] = {"type": qtype.name, "shape": list(shape), "f32_sha256": sha256(dequant.astype("<f4")),
                              "first": [float(x) if math.isfinite(x) else str(x) for x in dequant.reshape(-1)[:4]]}
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {path} ({path.stat().st_size} bytes, {len(expected)} tensors)", file=sys.stderr)
    return expected


def sha256(array):
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def build_model(arch, kind, seed, corpus):
    rng = np.random.default_rng(seed)
    d = DIMS
    head_dim = d["hidden"] // d["heads"]
    tok, tokens, merges = train_tokenizer(kind, corpus)
    vocab = len(tokens)
    path = OUT / f"tiny_{arch}.gguf"
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_name(f"tiny {arch} test model")
    if arch == "qwen2":
        writer.add_custom_alignment(64)
    writer.add_context_length(d["context"])
    writer.add_embedding_length(d["hidden"])
    writer.add_block_count(d["layers"])
    writer.add_feed_forward_length(d["intermediate"])
    writer.add_head_count(d["heads"])
    writer.add_head_count_kv(d["kv_heads"])
    writer.add_rope_freq_base(10000.0 if arch == "llama" else 1e6)
    writer.add_layer_norm_rms_eps(1e-5 if arch == "llama" else 1e-6)
    writer.add_rope_dimension_count(head_dim)
    writer.add_vocab_size(vocab)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(kind)
    writer.add_token_list(tokens)
    types = [gguf.TokenType.NORMAL] * vocab
    for name in SPECIALS:
        types[tokens.index(name)] = gguf.TokenType.CONTROL
    types[tokens.index(USER_TOKEN)] = gguf.TokenType.USER_DEFINED
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(tokens.index("<|im_start|>"))
    writer.add_eos_token_id(tokens.index("<|im_end|>"))
    writer.add_pad_token_id(tokens.index("<|endoftext|>"))
    writer.add_add_bos_token(False)
    writer.add_chat_template(CHAT_TEMPLATE)

    expected = {}

    def add(gguf_name, hf_name, values, qtype, heads=None):
        stored = permute(values, heads[0], heads[1]) if heads else values
        raw, dequant = encode_tensor(rng, stored, qtype)
        if heads:  # rows back in HF order: the inverse of permute(), found independently by argsort
            order = np.argsort(permute(np.arange(values.shape[0]), heads[0], heads[1]))
            dequant = dequant[order]
        if qtype == Q.F32:
            writer.add_tensor(gguf_name, raw)
        else:
            writer.add_tensor(gguf_name, raw, raw_dtype=qtype)
        bf16 = torch.from_numpy(dequant.copy()).to(torch.bfloat16).view(torch.int16).numpy()
        expected[hf_name] = {"gguf_name": gguf_name, "type": qtype.name, "shape": list(dequant.shape),
                             "f32_sha256": sha256(dequant.astype("<f4")), "bf16_sha256": sha256(bf16.astype("<i2")),
                             "first": [float(x) if math.isfinite(x) else str(x) for x in dequant.reshape(-1)[:4]]}
        return dequant

    def weight(rows, cols, scale=0.06):
        return rng.normal(0.0, scale, size=(rows, cols)).astype(np.float32)

    add("token_embd.weight", "model.embed_tokens.weight", weight(vocab, d["hidden"], 0.05), Q.Q8_0)
    for layer in range(d["layers"]):
        blk, hf = f"blk.{layer}.", f"model.layers.{layer}."
        add(blk + "attn_norm.weight", hf + "input_layernorm.weight",
            (1 + rng.normal(0, 0.1, d["hidden"])).astype(np.float32), Q.F32)
        add(blk + "ffn_norm.weight", hf + "post_attention_layernorm.weight",
            (1 + rng.normal(0, 0.1, d["hidden"])).astype(np.float32), Q.F32)
        shapes = {"attn_q": (d["heads"] * head_dim, d["hidden"]), "attn_k": (d["kv_heads"] * head_dim, d["hidden"]),
                  "attn_v": (d["kv_heads"] * head_dim, d["hidden"]), "attn_output": (d["hidden"], d["hidden"]),
                  "ffn_gate": (d["intermediate"], d["hidden"]), "ffn_up": (d["intermediate"], d["hidden"]),
                  "ffn_down": (d["hidden"], d["intermediate"])}
        for part, qtype in LAYER_TYPES[layer].items():
            heads = None
            if arch == "llama" and part == "attn_q":
                heads = (d["heads"], d["heads"])
            elif arch == "llama" and part == "attn_k":
                heads = (d["heads"], d["kv_heads"])
            add(f"{blk}{part}.weight", f"{hf}{HF_NAMES[part]}.weight", weight(*shapes[part]), qtype, heads)
        if arch == "qwen2":
            for part, rows in (("attn_q", d["heads"] * head_dim), ("attn_k", d["kv_heads"] * head_dim),
                               ("attn_v", d["kv_heads"] * head_dim)):
                add(f"{blk}{part}.bias", f"{hf}{HF_NAMES[part]}.bias",
                    rng.normal(0, 0.05, rows).astype(np.float32), Q.F32)
    add("output_norm.weight", "model.norm.weight", (1 + rng.normal(0, 0.1, d["hidden"])).astype(np.float32), Q.F32)
    if arch == "llama":  # untied; the qwen2 file ties lm_head to the embedding
        add("output.weight", "lm_head.weight", weight(vocab, d["hidden"], 0.02), Q.Q6_K)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path, tokens, merges, expected


def transformers_tokenizer(path):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    return tok


def compare_tokens(texts, ours_name, reference, transformers_tok):
    rows, disagreements = [], 0
    for text in texts:
        reference.encode_special_tokens = True
        ids = reference.encode(text, add_special_tokens=False).ids
        t_ids = (transformers_tok.encode(text, add_special_tokens=False, split_special_tokens=True)
                 if transformers_tok else None)
        row = {"text": text, "ids": ids}
        if t_ids is not None and t_ids != ids:
            row["transformers_ids"] = t_ids
            disagreements += 1
        rows.append(row)
    print(f"  {ours_name}: {len(texts)} strings, transformers' GGUF tokenizer disagrees with the HF pipeline on "
          f"{disagreements}", file=sys.stderr)
    return rows, disagreements


CHATS = [
    [{"role": "user", "content": "What color is the circle?"}],
    [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "Hi there!"},
     {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "How are you?"}],
]


def chat_rows(path, reference):
    """transformers renders the GGUF's Jinja chat template; the HF pipeline tokenizes the result."""
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    reference.encode_special_tokens = False
    rows = []
    for messages in CHATS:
        text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        rows.append({"messages": messages, "text": text, "ids": reference.encode(text, add_special_tokens=False).ids})
    return rows


def digits_contiguous(tokens, merges, texts):
    """A tokenizer.json with Digits(individual_digits=False), saved by HF tokenizers, and its ids."""
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab, [tuple(m.split(" ")) for m in merges]))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=False),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False)])
    tok.decoder = decoders.ByteLevel()
    tok.save(str(OUT / "digits_contiguous_tokenizer.json"))
    return [{"text": t, "ids": tok.encode(t, add_special_tokens=False).ids} for t in texts]


def build_spm_tokenizer_file():
    """tiny_spm_tokenizer.gguf: Mistral-7B's SentencePiece vocabulary (tests/data/tokenizers/mistral_sp)
    as llama.cpp stores one (pieces, scores, token types; no merges), tokenizer metadata only. The
    reference ids are SentencePiece's own (tests/data/tokenizer_parity/expected_mistral_sp.jsonl)."""
    import sentencepiece
    sp = sentencepiece.SentencePieceProcessor(model_file=str(TESTS / "data" / "tokenizers" / "mistral_sp" /
                                                          "tokenizer.model"))
    pieces, scores, types = [], [], []
    for i in range(sp.get_piece_size()):
        pieces.append(sp.id_to_piece(i))
        scores.append(sp.get_score(i))
        types.append(gguf.TokenType.UNKNOWN if sp.is_unknown(i) else gguf.TokenType.CONTROL if sp.is_control(i)
                     else gguf.TokenType.BYTE if sp.is_byte(i) else gguf.TokenType.UNUSED if sp.is_unused(i)
                     else gguf.TokenType.NORMAL)
    path = OUT / "tiny_spm_tokenizer.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("Mistral-7B SentencePiece tokenizer")
    writer.add_context_length(4096)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(pieces)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(sp.bos_id())
    writer.add_eos_token_id(sp.eos_id())
    writer.add_unk_token_id(sp.unk_id())
    writer.add_add_bos_token(True)
    writer.add_add_space_prefix(True)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

    expected = [json.loads(l) for l in (TESTS / "data" / "tokenizer_parity" / "expected_mistral_sp.jsonl")
                .read_text(encoding="utf-8").splitlines()]
    texts = [json.loads(l) for l in CORPUS.read_text(encoding="utf-8").splitlines()]
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    equal = sum(tok.encode(t, add_special_tokens=False, split_special_tokens=True) == row["ids"]
                for t, row in zip(texts, expected))
    print(f"wrote {path} ({path.stat().st_size} bytes); transformers' GGUF tokenizer equals SentencePiece on "
          f"{equal} of {len(texts)} strings", file=sys.stderr)
    llama_cpp = llama_cpp_encoder(path)
    llama_cpp_equal = sum(llama_cpp(t) == row["ids"] for t, row in zip(texts, expected)) if llama_cpp else None
    if llama_cpp:
        print(f"  llama.cpp equals SentencePiece on {llama_cpp_equal} of {len(texts)} strings", file=sys.stderr)
    from transformers.convert_slow_tokenizer import generate_merges
    merges = generate_merges({p: i for i, p in enumerate(pieces)}, list(zip(pieces, scores)))
    merges_text = "".join(f"{l} {r}\n" for l, r in merges)
    return {"sentencepiece_reference": "tests/data/tokenizer_parity/expected_mistral_sp.jsonl",
            "transformers_gguf_tokenizer_equal": equal, "llama_cpp_equal": llama_cpp_equal, "compared": len(texts),
            "merge_count": len(merges),
            "merges_sha256": hashlib.sha256(merges_text.encode("utf-8")).hexdigest()}


def transformers_logits(path, prompts):
    from transformers import AutoModelForCausalLM
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, torch_dtype=torch.float32,
                                                 attn_implementation="eager")
    model.eval()
    out = []
    with torch.no_grad():
        for ids in prompts:
            out.append(model(torch.tensor([ids])).logits[0].float())
    return out


def make_tiny():
    OUT.mkdir(parents=True, exist_ok=True)
    training = corpus_lines(1500) + number_strings()
    texts = corpus_lines(300) + number_strings()
    summary = {"tiny_types.gguf": {"tensors": build_types_file()}, "tiny_spm_tokenizer.gguf": build_spm_tokenizer_file()}
    for arch, kind, seed in (("llama", "smollm", 1), ("qwen2", "qwen2", 2)):
        path, tokens, merges, tensors = build_model(arch, kind, seed, training)
        reference = reference_pipeline(kind, tokens, merges)
        rows, disagreements = compare_tokens(texts, arch, reference, transformers_tokenizer(path))
        prompts = [reference.encode(t, add_special_tokens=False).ids[:24] for t in
                   ("Hello, world! What number is 1234?", "The quick brown fox jumps over the lazy dog.")]
        chat = "<|im_start|>user\nWhat color is the circle?<|im_end|>\n<|im_start|>assistant\n"
        reference.encode_special_tokens = False
        prompts.append(reference.encode(chat, add_special_tokens=False).ids)
        logits = transformers_logits(path, prompts)
        print(f"  logits: max |logit| {max(float(l.abs().max()) for l in logits):.2f}", file=sys.stderr)
        save_file({**{f"input_ids_{i}": torch.tensor(p, dtype=torch.int64) for i, p in enumerate(prompts)},
                   **{f"logits_{i}": l.contiguous() for i, l in enumerate(logits)}},
                  str(OUT / f"tiny_{arch}_logits.safetensors"))
        summary[path.name] = {"architecture": arch, "pre": kind, "tensors": tensors, "tokens": rows,
                              "transformers_token_disagreements": disagreements, "chats": chat_rows(path, reference)}
        llama_cpp = llama_cpp_encoder(path)
        if llama_cpp:
            equal = sum(llama_cpp(r["text"]) == r["ids"] for r in rows)
            summary[path.name]["llama_cpp_token_agreement"] = {"equal": equal, "compared": len(rows)}
            print(f"  llama.cpp agrees with the HF pipeline on {equal} of {len(rows)}", file=sys.stderr)
        if kind == "smollm":
            summary["digits_contiguous"] = digits_contiguous(tokens, merges, number_strings())
        print(f"wrote {path} ({path.stat().st_size} bytes, {len(tensors)} tensors, vocab {len(tokens)})", file=sys.stderr)
    (OUT / "tiny_expected.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smollm2", help="the SmolLM2-135M-Instruct Q4_1 GGUF from packaging/demo-model's cache")
    parser.add_argument("--skip-logits", action="store_true", help="with --smollm2: only the tokenizer references")
    args = parser.parse_args()
    if args.smollm2:
        from gguf_smollm2_reference import make_smollm2  # noqa: E402
        make_smollm2(Path(args.smollm2), OUT, with_logits=not args.skip_logits)
    else:
        make_tiny()
