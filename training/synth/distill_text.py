"""Self-distillation for the text-only share: the BASE model answers the prompt list (prompts.py), so
training on these answers keeps the language the model had instead of teaching it someone else's.

  python3 -m training.synth.distill_text --model DIR --prompts prompts.jsonl --out DIR
      [--batch-size 256] [--max-new-tokens 128] [--device cuda] [--dtype bfloat16]

DIR is an HF-layout model folder (e.g. what `vora import-gguf` writes). Prompts go through the
folder's own chat template with the system prompt the VoRA trainer and runtime use by default, so
the answers are what the model says in exactly the context it will be trained in. Greedy decoding.
Answers that hit --max-new-tokens without ending are dropped (training would otherwise teach the
model to stop mid-sentence); the count is reported. Writes text-train.jsonl, text-val.jsonl and
text-manifest.json. Needs torch and transformers (the GPU machine has both)."""
import argparse
import hashlib
import json
import os
import sys
import time

SYSTEM_PROMPT = "You are a helpful assistant."  # core/chat/chat_template.h and training/sample_builder.h


def _read_prompts(path):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for row in rows:
        if not {"id", "split", "prompt"} <= row.keys():
            raise SystemExit(f"{path}: every line needs id, split and prompt: {row}")
    return rows


def _load(model_dir, device, dtype_name):
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}[dtype_name]
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    tokenizer.padding_side = "left"  # batched generation continues every row from its last prompt token
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    major, minor = (int(v) for v in transformers.__version__.split(".")[:2])
    kwargs = {"dtype": dtype} if (major, minor) >= (4, 56) else {"torch_dtype": dtype}
    model = AutoModelForCausalLM.from_pretrained(model_dir, **kwargs).to(device).eval()
    return tokenizer, model


def _chat_texts(tokenizer, prompts):
    return [tokenizer.apply_chat_template([{"role": "system", "content": SYSTEM_PROMPT},
                                           {"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
            for p in prompts]


def answer_all(tokenizer, model, prompts, batch_size, max_new_tokens, device):
    """[(answer text, finished)] in prompt order; batches are formed by length to waste little padding."""
    import torch

    texts = _chat_texts(tokenizer, prompts)
    order = sorted(range(len(texts)), key=lambda i: len(tokenizer(texts[i], add_special_tokens=False).input_ids))
    stop_ids = {tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("<|im_end|>")} - {None}
    results = [None] * len(texts)
    started = time.monotonic()
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        inputs = tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True,
                           add_special_tokens=False, return_token_type_ids=False).to(device)
        with torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False, temperature=None,
                                 top_p=None, top_k=None, eos_token_id=sorted(stop_ids),
                                 pad_token_id=tokenizer.pad_token_id)
        for row, i in enumerate(batch):
            new = out[row, inputs.input_ids.shape[1]:].tolist()
            finished = any(t in stop_ids for t in new)
            kept = []
            for t in new:
                if t in stop_ids:
                    break
                kept.append(t)
            results[i] = (tokenizer.decode(kept, skip_special_tokens=True).strip(), finished)
        done = min(start + batch_size, len(order))
        print(f"  {done}/{len(order)} prompts ({done / (time.monotonic() - started):.1f}/s)", file=sys.stderr)
    return results


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m training.synth.distill_text", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="HF-layout model folder (config.json, tokenizer, weights)")
    parser.add_argument("--prompts", required=True, help="from `python3 -m training.synth prompts`")
    parser.add_argument("--out", required=True)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", choices=("bfloat16", "float16", "float32"), default="bfloat16")
    parser.add_argument("--limit", type=int, default=0, help="answer only the first N prompts")
    args = parser.parse_args(argv)

    rows = _read_prompts(args.prompts)
    if args.limit > 0:
        rows = rows[:args.limit]
    tokenizer, model = _load(args.model, args.device, args.dtype)
    started = time.monotonic()
    answers = answer_all(tokenizer, model, [r["prompt"] for r in rows], args.batch_size, args.max_new_tokens, args.device)
    seconds = time.monotonic() - started
    os.makedirs(args.out, exist_ok=True)
    counts = {"train": 0, "val": 0, "unfinished_dropped": 0, "empty_dropped": 0}
    files = {split: open(os.path.join(args.out, f"text-{split}.jsonl"), "w", encoding="utf-8") for split in ("train", "val")}
    for row, (answer, finished) in zip(rows, answers):
        if not finished:
            counts["unfinished_dropped"] += 1
            continue
        if not answer:
            counts["empty_dropped"] += 1
            continue
        record = {"id": row["id"], "conversations": [{"from": "human", "value": row["prompt"]},
                                                     {"from": "gpt", "value": answer}]}
        files[row["split"]].write(json.dumps(record, ensure_ascii=False) + "\n")
        counts[row["split"]] += 1
    for f in files.values():
        f.close()
    manifest = {"generator": "training.synth.distill_text", "system_prompt": SYSTEM_PROMPT,
                "prompts_sha256": _sha256(args.prompts), "prompts": len(rows), "counts": counts,
                "max_new_tokens": args.max_new_tokens, "decoding": "greedy", "dtype": args.dtype,
                "seconds": round(seconds, 1)}
    with open(os.path.join(args.out, "text-manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"{len(rows)} prompts answered in {seconds:.1f} s: {counts} -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
