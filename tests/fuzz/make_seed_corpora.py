#!/usr/bin/env python3
"""Writes the fuzz harnesses' seed corpora (tests/fuzz/corpus/NAME/): small valid inputs of each
format, taken from the repository's test data or built here, so fuzzing starts from files the
parsers accept. Plain Python, no third-party packages. Run from anywhere; rewrites the folders.
"""
import json
import shutil
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
CORPUS = HERE / "corpus"


def put(harness, name, content):
    folder = CORPUS / harness
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())


def safetensors(tensors, metadata=None):
    header, blobs, offset = {}, b"", 0
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, blob) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs += blob
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + blobs


def gguf(metadata, tensors):
    """A GGUF v3 file: metadata of the given (type, value) pairs and F32 tensors."""
    def string(text):
        raw = text.encode()
        return struct.pack("<Q", len(raw)) + raw

    def value(kind, item):
        if kind == "str":
            return struct.pack("<I", 8) + string(item)
        if kind == "u32":
            return struct.pack("<II", 4, item)
        if kind == "f32":
            return struct.pack("<If", 6, item)
        if kind == "bool":
            return struct.pack("<IB", 7, item)
        if kind == "arr_str":
            return struct.pack("<IIQ", 9, 8, len(item)) + b"".join(string(s) for s in item)
        if kind == "arr_i32":
            return struct.pack("<IIQ", 9, 5, len(item)) + b"".join(struct.pack("<i", v) for v in item)
        raise ValueError(kind)

    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata))
    for key, (kind, item) in metadata.items():
        out += string(key) + value(kind, item)
    offset, blobs = 0, b""
    for name, shape in tensors.items():
        count = 1
        for d in shape:
            count *= d
        out += string(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in shape)
        out += struct.pack("<IQ", 0, offset)
        blob = struct.pack("<%df" % count, *[0.25 * i for i in range(count)])
        blob += b"\0" * (-len(blob) % 32)
        blobs += blob
        offset += len(blob)
    out += b"\0" * (-len(out) % 32)
    return out + blobs


def byte_level_tokenizer(extra=None):
    alphabet = [chr(c) for c in range(ord("!"), ord("~") + 1)] + ["Ġ", "Ċ"]
    vocab = {token: i for i, token in enumerate(alphabet)}
    merges = []
    for left, right in [("h", "e"), ("l", "l"), ("he", "ll"), ("Ġ", "w"), ("o", "r")]:
        merges.append(f"{left} {right}")
        vocab.setdefault(left + right, len(vocab))
    tokenizer = {
        "version": "1.0",
        "added_tokens": [{"id": len(vocab), "content": "<|im_start|>", "special": True},
                         {"id": len(vocab) + 1, "content": "<|im_end|>", "special": True}],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True},
        "post_processor": {"type": "ByteLevel"},
        "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "vocab": vocab, "merges": merges},
    }
    tokenizer.update(extra or {})
    return json.dumps(tokenizer)


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)

    floats = struct.pack("<4f", 1, 2, 3, 4)
    put("safetensors_header", "two_tensors", safetensors({"a": ("F32", [2, 2], floats), "b": ("BF16", [2], b"\1\2\3\4")},
                                                         {"format": "pt"}))
    put("safetensors_header", "empty_tensor", safetensors({"e": ("I64", [0, 3], b"")}))
    put("safetensors_header", "all_dtypes", safetensors(
        {d: (d, [1], b"\0" * s) for d, s in [("F64", 8), ("F16", 2), ("I32", 4), ("I16", 2), ("I8", 1), ("U8", 1),
                                            ("BOOL", 1)]}))

    index = json.loads((DATA / "tiny_models/qwen2_vora_unmerged/model.safetensors.index.json").read_text())
    put("safetensors_index", "tiny_vora", json.dumps(index))
    put("safetensors_index", "minimal", '{"metadata": {"total_size": 8}, "weight_map": {"a": "model-1.safetensors"}}')

    put("gguf_header", "llama_metadata", gguf(
        {"general.architecture": ("str", "llama"), "llama.block_count": ("u32", 1), "llama.context_length": ("u32", 64),
         "llama.rope.freq_base": ("f32", 10000.0), "tokenizer.ggml.tokens": ("arr_str", ["a", "b", "ab"]),
         "tokenizer.ggml.token_type": ("arr_i32", [1, 1, 1]), "general.flag": ("bool", 1),
         "general.alignment": ("u32", 32)},
        {"token_embd.weight": [4, 3], "output_norm.weight": [4]}))
    put("gguf_header", "no_tensors", gguf({"general.name": ("str", "x")}, {}))

    for model in ["qwen2_vora_unmerged", "llama_text", "qwen2_text"]:
        put("model_config", model, (DATA / "tiny_models" / model / "config.json").read_bytes())
        put("generation_config", model, (DATA / "tiny_models" / model / "generation_config.json").read_bytes())
    put("model_config", "rope_scaling", json.dumps({
        "model_type": "llama", "vocab_size": 32, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
        "num_attention_heads": 2, "num_key_value_heads": 1, "rope_theta": 500000.0,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 8192}, "eos_token_id": [1, 2], "head_dim": 4}))
    put("generation_config", "everything", json.dumps({
        "do_sample": True, "temperature": 0.7, "top_p": 0.8, "top_k": 20, "min_p": 0.05, "repetition_penalty": 1.05,
        "max_new_tokens": 64, "min_new_tokens": 2, "stop_strings": ["\n\n", "END"], "eos_token_id": [1, 2],
        "pad_token_id": 0}))

    put("tokenizer_json", "byte_level", byte_level_tokenizer())
    put("tokenizer_json", "training_chatml", (DATA / "training/tokenizer/tokenizer.json").read_bytes())
    put("tokenizer_json", "digits", (DATA / "gguf/digits_contiguous_tokenizer.json").read_bytes())
    put("tokenizer_json", "metaspace_fallback", json.dumps({
        "added_tokens": [{"id": 0, "content": "<unk>", "special": True}],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
                                                           {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                                                     {"type": "ByteFallback"}, {"type": "Fuse"},
                                                     {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": True, "fuse_unk": True,
                  "vocab": {"<unk>": 0, "<0x41>": 1, "▁": 2, "a": 3, "b": 4, "▁a": 5}, "merges": ["▁ a"]}}))

    line = {"id": "1", "frames": ["a.png", "b.png"], "conversations": [
        {"from": "system", "value": "Be brief."}, {"from": "human", "value": "<image><image>Compare."},
        {"from": "gpt", "value": "Same."}, {"from": "human", "value": "Why?"}, {"from": "gpt", "value": "Colour."}]}
    put("data_line", "multi_turn", json.dumps(line))
    put("data_line", "text_only", json.dumps({"id": 7, "conversations": [{"from": "user", "value": "Hi"},
                                                                       {"from": "assistant", "value": "Yo"}]}))
    put("data_line", "placeholder_prepended", json.dumps({"frames": ["x.ppm"], "conversations": [
        {"from": "human", "value": "What?"}, {"from": "gpt", "value": "A cat"}]}))

    for name in ["rgb.bmp", "grey.png", "rgba16.png", "rgb.jpg", "rgb.tif", "rgb_lossless.webp", "palette_trns.png"]:
        put("image_header", name, (DATA / "image/decode" / name).read_bytes())
    for name in ["comments.ppm", "crlf_tabs.pgm", "grey_3x6.pgm", "one_pixel.ppm", "rgb_7x5.ppm"]:
        put("image_header", name, (DATA / "image/netpbm" / name).read_bytes())
    put("image_header", "gif", b"GIF89a\x02\x00\x02\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x02\x00"
                               b"\x02\x00\x00\x02\x02\x84Q\x00;")

    state = {"step": 2, "optimizer_steps": 2, "epoch": 0, "position": 4, "samples_seen": 4, "total_steps": 3,
             "lora_scale": 2.0, "schedule": "constant_with_warmup", "lr": 0.005, "warmup_steps": 2, "data_samples": 4,
             "options": {"lora_rank": 4}}
    put("checkpoint_state", "trainer_state", json.dumps(state, indent=1))
    put("checkpoint_state", "minimal", '{"step":0,"optimizer_steps":0,"epoch":3,"position":0,"data_samples":1}')

    template = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
                "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
                "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}")
    put("chat_template", "qwen_turns", template + "\0Be brief.\nWhat is in the picture?\nA red square.\nWhy?")
    put("chat_template", "special_tokens", "\0<|im_start|>user\n<image>hi<|im_end|>\n<|endoftext|>\n\xc3\xa9\xe2\x80\x8b")


if __name__ == "__main__":
    main()
