"""Writing a data set: pictures in parallel, conversations as VoRA JSON lines in index order, and a
manifest with counts per question type and the hash of every file (no times, no paths: the same seed
and environment give byte-identical output whatever the number of workers)."""
import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections import Counter
from dataclasses import asdict
from functools import partial
from typing import Dict, List

from . import items, questions, spec

PRETRAIN_SPLITS = ("train", "val")
FINETUNE_SPLITS = ("train", "val", "test")


def conversation(turns: List[questions.QA]) -> List[dict]:
    """Human/gpt turns; the picture's placeholder starts the first question, as the app's composer puts it."""
    out = []
    for number, (_, question, answer) in enumerate(turns):
        out.append({"from": "human", "value": ("<image>" if number == 0 else "") + question})
        out.append({"from": "gpt", "value": answer})
    return out


def record(sample_id: str, frame: str, turns: List[questions.QA]) -> dict:
    return {"id": sample_id, "frames": [frame], "conversations": conversation(turns)}


def finetune_records(split: str, item: items.Item, multi_turn: bool) -> List[dict]:
    base = f"{split}-{item.index:07d}"
    if not item.asked:  # --question-types can leave a picture without a question
        return []
    if multi_turn:
        return [record(base, item.frame, item.asked)]
    return [record(f"{base}-q{n}", item.frame, [qa]) for n, qa in enumerate(item.asked)]


def manifest_options(options: items.ItemOptions, multi_turn: bool) -> dict:
    out = {**asdict(options), "sizes": list(options.sizes), "multi_turn": multi_turn}
    if not options.question_types:
        del out["question_types"]  # the standard types: manifests as before the option existed
    else:
        out["question_types"] = list(options.question_types)
    return out


def json_line(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False) + "\n"


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class SplitWriter:
    """The JSON-lines files and counts of one split."""

    def __init__(self, out_dir: str, split: str, multi_turn: bool):
        self.split, self.multi_turn = split, multi_turn
        stages = ("pretrain", "finetune") if split in PRETRAIN_SPLITS else ("finetune",)
        self.names = {stage: f"{stage}-{split}.jsonl" for stage in stages}
        self.files = {stage: open(os.path.join(out_dir, name), "w", encoding="utf-8") for stage, name in self.names.items()}
        self.counts = Counter()
        self.question_types = Counter()
        self.sizes = Counter()
        self.images_digest = hashlib.sha256()

    def add(self, item: items.Item) -> None:
        self.counts["images"] += 1
        self.counts[f"{item.kind}_images"] += 1
        self.sizes[str(item.side)] += 1
        self.images_digest.update(f"{item.frame} {item.sha256}\n".encode())
        if "pretrain" in self.files:
            self.files["pretrain"].write(json_line(record(f"{self.split}-{item.index:07d}-caption", item.frame, [item.caption])))
            self.counts["pretrain_samples"] += 1
        for line in finetune_records(self.split, item, self.multi_turn):
            self.files["finetune"].write(json_line(line))
            self.counts["finetune_samples"] += 1
        self.question_types.update(qa[0] for qa in item.asked)

    def close(self) -> dict:
        for f in self.files.values():
            f.close()
        summary = dict(sorted(self.counts.items()))
        summary["finetune_questions"] = {t: self.question_types.get(t, 0) for t in questions.QUESTION_TYPES}
        summary["sizes"] = dict(sorted(self.sizes.items(), key=lambda kv: int(kv[0])))
        summary["images_sha256"] = self.images_digest.hexdigest()  # over "frame sha256" lines in index order
        return summary


def _make(task, options, out_dir):
    split, index = task
    return items.make_item(options, out_dir, split, index)


def generate(options: items.ItemOptions, out_dir: str, counts: Dict[str, int], multi_turn: bool, fonts_dir: str,
             workers: int) -> dict:
    """Writes everything under out_dir and returns the manifest (also written as manifest.json)."""
    os.makedirs(out_dir, exist_ok=True)
    items.init_worker(fonts_dir)  # fails here, before any work, when a font is missing
    tasks = [(split, i) for split in FINETUNE_SPLITS for i in range(counts.get(split, 0))]
    writers = {split: SplitWriter(out_dir, split, multi_turn) for split in FINETUNE_SPLITS}
    started = time.monotonic()
    work = partial(_make, options=options, out_dir=out_dir)
    if workers > 1:
        context = multiprocessing.get_context("spawn")
        with context.Pool(workers, initializer=items.init_worker, initargs=(fonts_dir,)) as pool:
            _collect(pool.imap(work, tasks, chunksize=32), tasks, writers, started)
    else:
        _collect(map(work, tasks), tasks, writers, started)
    seconds = time.monotonic() - started
    manifest = {
        "generator": "training.synth",
        "options": manifest_options(options, multi_turn),
        "fonts": {name: sha256_of(os.path.join(fonts_dir, file)) for name, file in spec.FONT_FILES.items()},
        "splits": {split: writers[split].close() for split in FINETUNE_SPLITS},
    }
    written = sorted(name for writer in writers.values() for name in writer.names.values())
    manifest["files"] = {name: {"bytes": os.path.getsize(os.path.join(out_dir, name)),
                                "sha256": sha256_of(os.path.join(out_dir, name))} for name in written}
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"{len(tasks)} images in {seconds:.1f} s ({len(tasks) / max(seconds, 1e-9):.1f} images/s, "
          f"{workers} worker(s)) -> {out_dir}", file=sys.stderr)
    return manifest


def _collect(results, tasks, writers, started):
    for done, item in enumerate(results, 1):
        writers[tasks[done - 1][0]].add(item)
        if done % 5000 == 0:
            rate = done / max(time.monotonic() - started, 1e-9)
            print(f"  {done}/{len(tasks)} images ({rate:.0f}/s)", file=sys.stderr)
