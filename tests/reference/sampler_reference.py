#!/usr/bin/env python3
"""Expected sampling distributions for tests/core/test_sampler.cpp, from HF transformers' logits processors.

Pinned: transformers==4.50.3 (with the toolbox's torch 2.6). Run in the reference venv in the toolbox:
    packaging/env bash -c 'python3 -m venv --system-site-packages /var/cache/vora-studio/venv-ref &&
      /var/cache/vora-studio/venv-ref/bin/pip install transformers==4.50.3 tokenizers==0.21.1'
    packaging/env /var/cache/vora-studio/venv-ref/bin/python tests/reference/sampler_reference.py

Writes tests/data/sampler/expected.json: for every case, float32 logits over a small vocabulary, the
token history the repetition penalty sees, the ids suppressed (as eos is before min_new_tokens), the
settings, and the probabilities transformers would sample from, after the chain generate() builds
for those settings (RepetitionPenaltyLogitsProcessor, SuppressTokensLogitsProcessor, then the
warpers Temperature, TopK, TopP, MinP) and a softmax. Greedy cases hold the one-hot argmax.
"""
import json
from pathlib import Path

import torch
import transformers
from transformers.generation.logits_process import (
    LogitsProcessorList,
    MinPLogitsWarper,
    RepetitionPenaltyLogitsProcessor,
    SuppressTokensLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

VOCAB = 64
OUT = Path(__file__).resolve().parents[1] / "data" / "sampler" / "expected.json"

# name, settings (temperature 0 = greedy; top_k 0, top_p 1, min_p 0, repetition_penalty 1 = off),
# history, suppressed
CASES = [
    ("temperature 0.7", dict(temperature=0.7), [], []),
    ("temperature 1.3", dict(temperature=1.3), [], []),
    ("top-k 5", dict(temperature=1.0, top_k=5), [], []),
    ("top-p 0.8", dict(temperature=1.0, top_p=0.8), [], []),
    ("top-p 0.6 at temperature 1.5", dict(temperature=1.5, top_p=0.6), [], []),
    ("top-p 0.95 after top-k 30", dict(temperature=1.0, top_k=30, top_p=0.95), [], []),
    ("min-p 0.1", dict(temperature=1.0, min_p=0.1), [], []),
    ("min-p 0.3 at temperature 2", dict(temperature=2.0, min_p=0.3), [], []),
    ("repetition penalty 1.3", dict(temperature=1.0, repetition_penalty=1.3), "history", []),
    ("repetition penalty 0.8", dict(temperature=1.0, repetition_penalty=0.8), "history", []),
    ("qwen2.5 defaults", dict(temperature=0.7, top_k=20, top_p=0.8, repetition_penalty=1.05), "history", []),
    ("everything", dict(temperature=0.8, top_k=20, top_p=0.9, min_p=0.05, repetition_penalty=1.1), "history", []),
    ("suppressed end tokens", dict(temperature=1.0, top_k=10), [], "top2"),
    ("greedy", dict(temperature=0.0), [], []),
    ("greedy with repetition penalty", dict(temperature=0.0, repetition_penalty=1.5), "top3", []),
    ("greedy with suppressed end token", dict(temperature=0.0), [], "top1"),
]


def chain(settings, suppressed):
    processors = LogitsProcessorList()
    if settings.get("repetition_penalty", 1.0) != 1.0:
        processors.append(RepetitionPenaltyLogitsProcessor(settings["repetition_penalty"]))
    if suppressed:
        processors.append(SuppressTokensLogitsProcessor(suppressed, device="cpu"))
    if settings["temperature"] > 0:
        processors.append(TemperatureLogitsWarper(settings["temperature"]))
        if settings.get("top_k", 0) > 0:
            processors.append(TopKLogitsWarper(settings["top_k"]))
        if settings.get("top_p", 1.0) < 1.0:
            processors.append(TopPLogitsWarper(settings["top_p"]))
        if settings.get("min_p", 0.0) > 0:
            processors.append(MinPLogitsWarper(settings["min_p"]))
    return processors


def main():
    generator = torch.Generator().manual_seed(20250301)
    cases = []
    for index, (name, settings, history, suppressed) in enumerate(CASES):
        # Logits with a realistic spread: a few clear favourites over a long tail, no ties.
        logits = (torch.randn(VOCAB, generator=generator) * 2.5).to(torch.float32)
        order = torch.argsort(logits, descending=True).tolist()
        if history == "history":  # tokens seen before: favourites, tail tokens, one negative logit
            history = [order[0], order[3], order[10], order[-1], order[3]]
        elif history == "top3":
            history = order[:3]
        if suppressed == "top2":
            suppressed = order[:2]
        elif suppressed == "top1":
            suppressed = order[:1]
        input_ids = torch.tensor([history if history else [order[-2]]], dtype=torch.long)
        if not history:  # no history: the penalty is off in these cases, the ids only fill the batch shape
            assert settings.get("repetition_penalty", 1.0) == 1.0
        scores = chain(settings, suppressed)(input_ids, logits.clone().unsqueeze(0)).squeeze(0)
        if settings["temperature"] > 0:
            probabilities = torch.softmax(scores, dim=-1)
        else:
            probabilities = torch.nn.functional.one_hot(scores.argmax(), VOCAB).to(torch.float32)
        cases.append({
            "name": name,
            "temperature": settings["temperature"],
            "top_k": settings.get("top_k", 0),
            "top_p": settings.get("top_p", 1.0),
            "min_p": settings.get("min_p", 0.0),
            "repetition_penalty": settings.get("repetition_penalty", 1.0),
            "history": history,
            "suppressed": suppressed,
            "logits": [float(x) for x in logits.tolist()],
            "probabilities": [float(x) for x in probabilities.tolist()],
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"transformers": transformers.__version__, "vocab": VOCAB, "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
