"""Text-only prompts for self-distillation: templates (text/templates.txt) filled from slot lists
(text/slots.txt), deduplicated, each assigned to train or val. distill_text.py then has the base model
answer them, so the text-only share teaches the model its own language back (VoRA keeps the LLM's
language by mixing text-only data; we have no instruction data offline, so the base model writes it)."""
import json
import os
import re
import sys
from typing import Dict, List

import numpy as np

_HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "text")
_SLOT = re.compile(r"\{([a-z_]+?)(2?)\}")
_ARTICLE = re.compile(r"\b([Aa]) (?=[aeiouAEIOU])")


def _lines(path: str) -> List[str]:
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]


def load_templates(path: str = os.path.join(_HERE, "templates.txt")) -> List[str]:
    return _lines(path)


def load_slots(path: str = os.path.join(_HERE, "slots.txt")) -> Dict[str, List[str]]:
    slots: Dict[str, List[str]] = {}
    current = None
    for line in _lines(path):
        if line.startswith("[") and line.endswith("]"):
            current = slots.setdefault(line[1:-1], [])
        elif current is None:
            raise ValueError(f"{path}: value {line!r} before the first [slot] line")
        else:
            current.append(line)
    return slots


def fill(template: str, slots: Dict[str, List[str]], rng: np.random.Generator) -> str:
    chosen: Dict[str, str] = {}
    for name, second in sorted(set(_SLOT.findall(template)), key=lambda m: m[1]):
        if name not in slots:
            raise KeyError(f"template {template!r} names unknown slot {name!r}")
        values = slots[name]
        if second:
            values = [v for v in values if v != chosen.get(name)]
        chosen[name + second] = values[rng.integers(len(values))]
    text = _SLOT.sub(lambda m: chosen[m.group(1) + m.group(2)], template)
    return _ARTICLE.sub(r"\1n ", text)  # "a engineer" -> "an engineer"


def make_prompts(seed: int, count: int) -> List[str]:
    templates, slots = load_templates(), load_slots()
    rng = np.random.default_rng(seed)
    seen, out = set(), []
    misses = 0
    while len(out) < count and misses < 100 * count + 1000:
        prompt = fill(templates[rng.integers(len(templates))], slots, rng)
        if prompt in seen:
            misses += 1
            continue
        seen.add(prompt)
        out.append(prompt)
    if len(out) < count:
        print(f"warning: only {len(out)} distinct prompts exist for {count} asked", file=sys.stderr)
    return out


def write_prompts(path: str, seed: int, count: int, val_share: float) -> None:
    rng = np.random.default_rng([seed, 1])
    prompts = make_prompts(seed, count)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    splits = {"train": 0, "val": 0}
    with open(path, "w", encoding="utf-8") as f:
        for index, prompt in enumerate(prompts):
            split = "val" if rng.random() < val_share else "train"
            splits[split] += 1
            f.write(json.dumps({"id": f"text-{index:06d}", "split": split, "prompt": prompt}, ensure_ascii=False) + "\n")
    print(f"{len(prompts)} prompts ({splits['train']} train, {splits['val']} val) from "
          f"{len(load_templates())} templates -> {path}", file=sys.stderr)
