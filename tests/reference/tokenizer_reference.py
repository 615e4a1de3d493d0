#!/usr/bin/env python3
"""Expected token ids for the parity test (tests/core/test_tokenizer_parity.cpp), from HF tokenizers.

Pinned: tokenizers==0.21.1, transformers==4.50.3, sentencepiece==0.2.1. Run in a venv in the toolbox:
    packaging/env bash -c 'python3 -m venv --system-site-packages /var/cache/vora-studio/venv-tok &&
      /var/cache/vora-studio/venv-tok/bin/pip install tokenizers==0.21.1 transformers==4.50.3 sentencepiece==0.2.1'
    packaging/env /var/cache/vora-studio/venv-tok/bin/python tests/reference/make_tokenizer_corpus.py
    packaging/env /var/cache/vora-studio/venv-tok/bin/python tests/reference/tokenizer_reference.py

Writes tests/data/tokenizers/gpt2_json/tokenizer.json (HF's GPT-2 tokenizer built from vocab.json +
merges.txt) and tests/data/tokenizer_parity/expected_NAME.jsonl, one object per corpus line:
  "ids": encode without parsing special tokens (encode_special_tokens=True), no added BOS/EOS;
  "special": encode parsing special tokens, only when it differs from "ids";
  "decoded": decode(ids) keeping special tokens, only when it differs from the input text;
and expected_chat_qwen2.json: ChatML prompts and HF's ids of the prompt split on <image>.
"""
import json
import sys
from pathlib import Path

import tokenizers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

TESTS = Path(__file__).resolve().parents[1]
DATA = TESTS / "data"
PARITY = DATA / "tokenizer_parity"


def make_gpt2_json():
    src = DATA / "tokenizers" / "gpt2"
    tok = Tokenizer(models.BPE.from_file(str(src / "vocab.json"), str(src / "merges.txt")))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(["<|endoftext|>"])
    out = DATA / "tokenizers" / "gpt2_json" / "tokenizer.json"
    out.parent.mkdir(exist_ok=True)
    tok.save(str(out))
    return out


def hf_rows(tok, corpus):
    rows = []
    for text in corpus:
        tok.encode_special_tokens = True
        ids = tok.encode(text, add_special_tokens=False).ids
        tok.encode_special_tokens = False
        special = tok.encode(text, add_special_tokens=False).ids
        decoded = tok.decode(ids, skip_special_tokens=False)
        rows.append(row(text, ids, special, decoded))
    return rows


def sentencepiece_rows(model_path, corpus):
    import sentencepiece
    from transformers import LlamaTokenizer

    sp = sentencepiece.SentencePieceProcessor(model_file=str(model_path))
    slow = LlamaTokenizer(vocab_file=str(model_path), legacy=True, add_bos_token=False, add_eos_token=False)
    rows = []
    for text in corpus:
        ids = sp.encode(text)
        special = slow.encode(text, add_special_tokens=False)
        rows.append(row(text, ids, special, sp.decode(ids)))
    return rows


CHAT_CASES = [
    {"turns": [{"role": "user", "text": "Describe the image.", "images": 1}]},
    {"turns": [{"role": "user", "text": "Hi!"}], "add_generation_prompt": False},
    {"turns": [{"role": "system", "text": "You are terse."}, {"role": "user", "text": "Compare these.", "images": 2}]},
    {"turns": [{"role": "user", "text": "What is this?", "images": 1}, {"role": "assistant", "text": "A cat."},
               {"role": "user", "text": "And this one?", "images": 1}]},
    {"turns": [{"role": "user", "text": "\nleading newline and trailing space "},
               {"role": "assistant", "text": "  two spaces\r\nthen CRLF"}, {"role": "user", "text": "日本語 😀 ok"}]},
    {"turns": [{"role": "user", "text": ""}], "system": ""},
    {"turns": [{"role": "user", "text": "no images", "images": 0}], "system": "Custom default."},
]


def render_chatml(case):
    """ChatML as docs/vora-format.md states it, written independently of the C++ code."""
    turns = case["turns"]
    system = case.get("system", "You are a helpful assistant.")
    text = ""
    if turns[0]["role"] != "system" and system:
        text += f"<|im_start|>system\n{system}<|im_end|>\n"
    for t in turns:
        text += f"<|im_start|>{t['role']}\n" + "<image>" * t.get("images", 0) + t["text"] + "<|im_end|>\n"
    if case.get("add_generation_prompt", True):
        text += "<|im_start|>assistant\n"
    return text


def chat_cases(tok):
    tok.encode_special_tokens = False
    out = []
    for case in CHAT_CASES:
        text = render_chatml(case)
        ids = []
        for i, chunk in enumerate(text.split("<image>")):
            if i > 0:
                ids.append(-200)
            ids += tok.encode(chunk, add_special_tokens=False).ids
        out.append(dict(case, text=text, ids=ids))
    path = PARITY / "expected_chat_qwen2.json"
    path.write_text(json.dumps(out, ensure_ascii=True, indent=1) + "\n", encoding="utf-8")
    print(f"chat: {len(out)} cases -> {path}")


def row(text, ids, special, decoded):
    out = {"ids": ids}
    if special != ids:
        out["special"] = special
    if decoded != text:
        out["decoded"] = decoded
    return out


def write(name, rows):
    path = PARITY / f"expected_{name}.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=True, separators=(",", ":")) + "\n")
    print(f"{name}: {len(rows)} rows -> {path}")


def main():
    assert tokenizers.__version__ == "0.21.1", tokenizers.__version__
    corpus = [json.loads(line) for line in open(PARITY / "corpus.jsonl", encoding="utf-8")]
    gpt2_json = make_gpt2_json()
    qwen2 = Tokenizer.from_file(str(DATA / "tokenizers/qwen2/tokenizer.json"))
    write("qwen2", hf_rows(qwen2, corpus))
    chat_cases(qwen2)
    write("mistral", hf_rows(Tokenizer.from_file(str(DATA / "tokenizers/mistral/tokenizer.json")), corpus))
    write("gpt2", hf_rows(Tokenizer.from_file(str(gpt2_json)), corpus))
    write("mistral_sp", sentencepiece_rows(DATA / "tokenizers/mistral_sp/tokenizer.model", corpus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
