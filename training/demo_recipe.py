"""The demo model's recipe: how VoRA Studio's demo model is made from SmolLM2-135M-Instruct with our own
`vora train`, on a machine with one to four CUDA GPUs (docs/demo-model.md tells the story and the numbers).

Phases, each a separate command so that a GPU lease can be spent in calls of a few minutes:

  python3 -m training.demo_recipe setup  --work W --gguf FILE --fonts DIR --heldout DIR [--vora BIN]
  python3 -m training.demo_recipe stage1 --work W --budget-s S [--ablation-budget-s S] [--ablations beside|after|none]
                                         [--init-from PART | --reuse PART]
  python3 -m training.demo_recipe ablations --work W [--budget-s S]   (rows left for after stage 2; else nothing)
  python3 -m training.demo_recipe wait   --work W --until stage1|ablations|all --max-s S
  python3 -m training.demo_recipe stage2 --work W --budget-s S [--devices cuda:0,...] [--variants NAME:LR:LAYERS:RANK,...]
  python3 -m training.demo_recipe final  --work W --out DIR
  python3 -m training.demo_recipe collect --work W --out DIR   (any time: every run's newest checkpoint)

`setup` imports the GGUF, draws the synthetic data (training/synth) and has the base model answer the
text-only prompts. `stage1` times a few steps of every run, turns the time budget into step counts and
starts the runs detached: the VoRA pre-training candidates (fresh vision embedding + LoRA, captions)
and the ablation rows of the paper's claims (one stage on captions and questions, same steps for every
row). `stage2` merges the best pre-training run by validation loss and starts the question fine-tuning
candidates (a second, smaller LoRA; the vision embedding keeps training). `final` merges, writes the
shipped parts (bfloat16), rebuilds the model from the shipped parts exactly as packaging/demo-model does
and evaluates that model, and evaluates the ablation rows. Every number lands in W/results.json.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

SEED = 0
IMAGE = ["--image-size", "224", "--patch-size", "14", "--vision-width", "512"]
COMMON = ["--max-text-len", "320", "--batch-size", "64", "--warmup-steps", "100", "--schedule", "cosine",
          "--min-lr-ratio", "0.05", "--dtype", "bfloat16", "--seed", str(SEED), "--val-every", "250",
          "--save-every", "250", "--json"]
# Every checkpoint is kept (they are small). With --keep-checkpoints 1 every run on the GPU machine (gVisor, GCC
# 13.3) died of a segfault at a null address right after its second save, before the older one was deleted.
STAGE1_LORA = ["--lora-rank", "32", "--lora-layers", "8"]
# Stage 2's candidates, NAME:LR:LAYERS:RANK (LoRA on the first LAYERS blocks): run 3 compared 5e-4 with 2e-4
# (5e-4 won) and run 4 1e-3 with 5e-4 (1e-3 won).
STAGE2_VARIANTS = "lr5e-4:5e-4:8:8,lr1e-3:1e-3:8:8"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def run(cmd, **kw):
    log("$", " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kw)


class Work:
    def __init__(self, root):
        self.root = Path(root)
        self.state_file = self.root / "state.json"
        self.state = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def save(self):
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=1))
        tmp.replace(self.state_file)

    @property
    def vora(self):
        return self.state["vora"]

    @property
    def data(self):
        return self.root / "data"

    def devices(self):
        return self.state["devices"]


def gpu_count():
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True).stdout
        return len([l for l in out.splitlines() if l.startswith("GPU")])
    except FileNotFoundError:
        return 0


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------- setup

def setup(a):
    w = Work(a.work)
    w.root.mkdir(parents=True, exist_ok=True)
    n = gpu_count()
    w.state = {"vora": str(Path(a.vora).resolve()), "devices": [f"cuda:{i}" for i in range(n)] or ["cpu"],
               "started": time.time(), "small": a.small}
    w.save()
    digest = sha256(a.gguf)
    if not a.small and digest != GGUF_SHA256:
        sys.exit(f"{a.gguf}: sha256 {digest}, expected {GGUF_SHA256}")
    t = time.time()
    base = w.root / "base"
    if not base.exists():
        run([w.vora, "import-gguf", "--gguf", a.gguf, "--out", base, "--dtype", "float32"])
    w.state["import_s"] = time.time() - t
    t = time.time()
    sizes = (["--train", "48", "--val", "8", "--test", "8"] if a.small else
             ["--train", "100000", "--val", "1000", "--test", "600"])
    if not (w.data / "manifest.json").exists():  # a finished generation is kept (it is deterministic)
        run([sys.executable, "-m", "training.synth", "generate", "--out", w.data, "--seed", str(SEED), "--format",
             "ppm", "--fonts-dir", a.fonts, "--sizes", "224,160,320", "--other-size-share", "0.1", *sizes,
             "--workers", str(min(32, os.cpu_count() or 1))])
    w.state["data_s"] = time.time() - t
    shutil.copytree(a.heldout, w.root / "heldout", dirs_exist_ok=True)
    t = time.time()
    run([sys.executable, "-m", "training.synth", "prompts", "--out", w.data / "prompts.jsonl", "--seed", str(SEED),
         "--count", "40" if a.small else "4000"])
    distill = [sys.executable, "-m", "training.synth.distill_text", "--model", base, "--prompts",
               w.data / "prompts.jsonl", "--out", w.data, "--max-new-tokens", "160"]
    if a.small:
        distill += ["--device", "cpu", "--dtype", "float32", "--batch-size", "8", "--max-new-tokens", "24"]
    else:
        distill += ["--device", "cuda", "--dtype", "bfloat16", "--batch-size", "256"]
    run(distill)
    w.state["distill_s"] = time.time() - t
    w.save()
    log("setup done:", json.dumps({k: w.state[k] for k in ("import_s", "data_s", "distill_s")}))


# ---------------------------------------------------------------- runs

def common(w):
    """The flags every run shares; the CPU dry run (--small) takes tiny batches."""
    if not w.state["small"]:
        return COMMON
    flags = list(COMMON)
    flags[flags.index("--batch-size") + 1] = "2"
    return flags


def stage1_runs(w):
    d = w.data
    caption = ["--data", d / "pretrain-train.jsonl", "--data", d / "text-train.jsonl", "--data", d / "text-train.jsonl",
               "--val-data", d / "pretrain-val.jsonl"]
    mixed = ["--data", d / "pretrain-train.jsonl", "--data", d / "finetune-train.jsonl", "--data",
             d / "text-train.jsonl", "--val-data", d / "finetune-val.jsonl"]
    base = ["--model", w.root / "base", "--stage", "pretrain", "--image-root", d, *IMAGE, *common(w)]
    devs = w.devices()
    # Run 1 (docs/demo-model.md) compared learning rates 1e-3 and 5e-4: 1e-3 was better at every validation,
    # so the pre-training run has the first GPU to itself and the ablation rows share the others.
    # Run 4 continued run 3's shipped stage 1 (stage1 --init-from resources/demo-model/stage1): the same LoRA and
    # vision embedding, a fresh optimizer and schedule; the shipped part is still one stage-1 part on the base.
    warm = ["--init-from", w.state["stage1_init_from"]] if w.state.get("stage1_init_from") else []
    runs = {"pretrain-lr1e-3": dict(kind="main", device=devs[0], args=[*base, *caption, *STAGE1_LORA, "--lr", "1e-3",
                                                                         "--image-attention", "bidirectional", *warm])}
    others = devs[1:] or devs
    rows = [("ablation-bidirectional-n8", "bidirectional", 8), ("ablation-causal-n8", "causal", 8),
            ("ablation-bidirectional-n4", "bidirectional", 4), ("ablation-bidirectional-n16", "bidirectional", 16)]
    for i, (name, mode, layers) in enumerate(rows):
        runs[name] = dict(kind="ablation", device=others[i % len(others)],
                          args=[*base, *mixed, "--lora-rank", "32", "--lora-layers", str(layers), "--lr", "1e-3",
                                "--image-attention", mode])
    return runs


def step_stamps(progress):
    return [json.loads(l)["time"] for l in progress.read_text().splitlines()
            if l.strip() and json.loads(l).get("event") == "step"]


def after_warmup(stamps):
    """The step times after the first few, which pay for lazy initialisation."""
    return stamps[min(5, len(stamps) // 2):]


def seconds_per_step(stamps, window=None):
    """The median time between steps, after the first few (they pay for lazy initialisation), counting only
    steps that end inside `window` (start, end) when given: the span in which every concurrent run was stepping.
    Run 2 calibrated the pre-training run at 0.22 s/step while the ablation rows were still starting; with all
    five on one GPU it then took 0.41 s/step, twice its budget."""
    timed = after_warmup(stamps)
    pairs = list(zip(timed, timed[1:]))
    inside = [(a, b) for a, b in pairs if window is None or window[0] <= a and b <= window[1]]
    deltas = sorted(b - a for a, b in (inside if len(inside) >= 3 else pairs))
    return deltas[len(deltas) // 2] if deltas else None


def calibrate(w, runs, steps):
    """Runs `steps` steps of every run at once (so contention is as in the real runs); seconds per step."""
    procs = {}
    for name, r in runs.items():
        out = w.root / "calibrate" / name
        shutil.rmtree(out, ignore_errors=True)
        cmd = [w.vora, "train", *r["args"], "--device", r["device"], "--max-steps", str(steps), "--out", out,
               "--val-every", "0", "--save-every", "0"]
        procs[name] = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL, env=run_env(len(runs)),
                                       stderr=open(w.root / f"calibrate-{name}.err", "w"))
    stamps = {}
    for name, p in procs.items():
        if p.wait() != 0:
            sys.exit(f"calibration of {name} failed: " + (w.root / f"calibrate-{name}.err").read_text()[-2000:])
        stamps[name] = step_stamps(w.root / "calibrate" / name / "progress.jsonl")
    window = (max(after_warmup(t)[0] for t in stamps.values()), min(t[-1] for t in stamps.values()))
    result = {}
    for name, t in stamps.items():
        result[name] = seconds_per_step(t, window)
        log(f"calibrated {name}: {result[name]:.3f} s/step")
    return result


def run_env(concurrent):
    """Each training process gets its share of the cores: LibTorch's default (all cores per process) made six
    concurrent runs CPU-bound on the 64-core GPU machine (load 360, 2 samples/s instead of 250)."""
    threads = max(1, (os.cpu_count() or 1) // max(1, concurrent))
    return {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}


def launch(w, name, r, steps, concurrent):
    out = w.root / "runs" / name
    if out.exists():
        shutil.rmtree(out)
    cmd = [w.vora, "train", *r["args"], "--device", r["device"], "--max-steps", str(steps), "--out", out]
    logf = open(w.root / f"{name}.log", "w")
    p = subprocess.Popen([str(c) for c in cmd], stdout=logf, stderr=subprocess.STDOUT, start_new_session=True,
                         env=run_env(concurrent))
    w.state.setdefault("runs", {})[name] = {"kind": r["kind"], "device": r["device"], "steps": steps, "pid": p.pid,
                                            "out": str(out), "cmd": [str(c) for c in cmd], "started": time.time()}
    log(f"started {name} on {r['device']}: {steps} steps")


def ablation_placement(w, requested):
    """Where the ablation rows train: "beside" the pre-training run (on the other GPUs), "after" the shipped
    stages (the `ablations` phase), or "none". Run 3 put them beside it on a one-GPU machine: they slowed the
    pre-training run 2.2x and made its calibration wrong by as much, so one GPU means "after"."""
    return requested or ("beside" if len(w.devices()) > 1 else "after")


def stage1(a):
    w = Work(a.work)
    if a.reuse:
        reuse_stage1(w, Path(a.reuse))
        return
    placement = ablation_placement(w, a.ablations)
    if a.init_from:
        w.state["stage1_init_from"] = str(Path(a.init_from).resolve())
    runs = {n: r for n, r in stage1_runs(w).items() if r["kind"] == "main" or placement == "beside"}
    w.state["ablations"] = {"placement": placement, "budget_s": a.ablation_budget_s}
    spt = calibrate(w, runs, 4 if w.state["small"] else 20)
    w.state["calibration"] = spt
    launch_calibrated(w, runs, spt, a.budget_s, a.ablation_budget_s)
    log(f"ablation rows: {placement}")
    w.save()


def reuse_stage1(w, part):
    """Stage 1 without training: an earlier stage-1 part (e.g. resources/demo-model/stage1) is the one stage 2 builds
    on and the one shipped (run 5 spent its lease on stage 2)."""
    for name in ("trainable.safetensors", "state.json"):
        if not (part / name).is_file():
            sys.exit(f"--reuse {part}: no {name} there (a stage-1 part holds trainable.safetensors and state.json)")
    if json.loads((part / "state.json").read_text()).get("options", {}).get("stage") != "pretrain":
        sys.exit(f"--reuse {part}: its state.json is not a pre-training (stage 1) part")
    w.state["stage1"] = "reused"
    w.state["stage1_part"] = str(part.resolve())
    w.state["ablations"] = {"placement": "none", "budget_s": 0}
    log(f"stage 1: reusing the part {part}")
    w.save()


def launch_calibrated(w, runs, spt, main_budget_s, ablation_budget_s):
    """Turns time budgets into step counts: each main run its own, the ablation rows the same count for every row
    (the slowest row's), so that rows differ only in what they ablate."""
    concurrent = len(runs) + ablations_running(w)
    for name, r in runs.items():
        if w.state["small"]:
            steps = 3
        elif r["kind"] == "main":
            steps = int(main_budget_s / spt[name])
        else:
            slowest = max(spt[n] for n, x in runs.items() if x["kind"] == "ablation")
            steps = int(ablation_budget_s / slowest)
        launch(w, name, r, steps, concurrent)


def ablations(a):
    """Starts the ablation rows that stage1 left for later (placement "after"); nothing otherwise."""
    w = Work(a.work)
    plan = w.state.get("ablations", {})
    if plan.get("placement") != "after" or any(r["kind"] == "ablation" for r in w.state.get("runs", {}).values()):
        log(f"no ablation rows to start (placement {plan.get('placement')})")
        return
    rows = {n: r for n, r in stage1_runs(w).items() if r["kind"] == "ablation"}
    spt = calibrate(w, rows, 4 if w.state["small"] else 20)
    w.state.setdefault("calibration", {}).update(spt)
    launch_calibrated(w, rows, spt, 0, a.budget_s if a.budget_s is not None else plan["budget_s"])
    w.save()


def progress_of(run):
    p = Path(run["out"]) / "progress.jsonl"
    if not p.exists():
        return {}
    lines = [json.loads(l) for l in p.read_text().splitlines() if l.strip()]
    steps = [l for l in lines if l.get("event") == "step"]
    vals = [l for l in lines if l.get("event") == "validation"]
    done = any(l.get("event") == "done" for l in lines)
    return {"step": steps[-1]["step"] if steps else 0, "loss": steps[-1]["loss"] if steps else None,
            "val_loss": vals[-1]["val_loss"] if vals else None, "eta_s": steps[-1].get("eta_s") if steps else None,
            "done": done}


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def wait(a):
    wait_for(Work(a.work), a.until, a.max_s)


def wait_for(w, until, max_s):
    deadline = time.time() + max_s
    while True:
        runs = w.state.get("runs", {})
        waiting = [n for n, r in runs.items() if alive(r["pid"]) and (
            until == "all" or (until == "stage1" and n.startswith("pretrain-"))
            or (until == "ablations" and r["kind"] == "ablation"))]
        status = {n: progress_of(r) for n, r in runs.items()}
        log(" | ".join(f"{n}: {s.get('step', 0)}/{runs[n]['steps']} loss {s.get('loss') or 0:.3f} "
                       f"val {s.get('val_loss') or 0:.3f}" for n, s in status.items()))
        if not waiting:
            failed = [n for n, s in status.items() if not s.get("done") and not alive(runs[n]["pid"])]
            for n in failed:
                log(f"run {n} ended without 'done':", (w.root / f"{n}.log").read_text()[-1500:])
            return
        if time.time() > deadline:
            log("still running:", ", ".join(waiting))
            return
        time.sleep(min(30, max(1, deadline - time.time())))


def best(w, prefix):
    cands = {n: progress_of(r) for n, r in w.state["runs"].items() if n.startswith(prefix)}
    cands = {n: s for n, s in cands.items() if s.get("done") and s.get("val_loss") is not None}
    if not cands:
        sys.exit(f"no finished {prefix} run")
    name = min(cands, key=lambda n: cands[n]["val_loss"])
    log(f"best {prefix}: {name} (val loss {cands[name]['val_loss']:.4f} of "
        + ", ".join(f"{n} {s['val_loss']:.4f}" for n, s in cands.items()) + ")")
    return name


def merge(w, model, run_dir, out):
    if Path(out).exists():
        shutil.rmtree(out)
    run([w.vora, "merge", "--model", model, "--checkpoint", run_dir, "--out", out, "--dtype", "float32"])


def ablations_running(w):
    return sum(1 for r in w.state.get("runs", {}).values() if r["kind"] == "ablation" and alive(r["pid"]))


def stage2_variants(spec):
    """NAME:LR:LAYERS:RANK,... -> {run name: vora train flags}."""
    variants = {}
    for item in filter(None, spec.split(",")):
        fields = item.split(":")
        if len(fields) != 4:
            sys.exit(f"--variants: '{item}' is not NAME:LR:LAYERS:RANK")
        name, lr, layers, rank = fields
        float(lr), int(layers), int(rank)  # a typo fails here, before anything trains
        variants[f"finetune-{name}"] = ["--lr", lr, "--lora-layers", layers, "--lora-rank", rank]
    if not variants:
        sys.exit("--variants: no variant given")
    return variants


def stage1_run_or_part(w):
    """The stage-1 run or part stage 2 built on (after stage1_source chose it)."""
    return Path(w.state["stage1_part"]) if w.state.get("stage1_part") else Path(w.state["runs"][w.state["stage1"]]["out"])


def stage1_source(w):
    """The stage-1 run or part that stage 2 builds on: a reused part, else the best pre-training run (whose part
    leaves at once: run 2 lost everything when the lease ended during stage 2)."""
    if w.state.get("stage1_part"):
        return stage1_run_or_part(w)
    chosen = best(w, "pretrain-")
    w.state["stage1"] = chosen
    early = w.root / "shipped-early" / "stage1"
    shipped_part(w, w.state["runs"][chosen]["out"], early)
    (w.root / "out").mkdir(exist_ok=True)
    subprocess.run(["tar", "czf", str(w.root / "out" / "stage1-part.tar.gz"), "-C", str(early), "."], check=True)
    return stage1_run_or_part(w)


def stage2(a):
    w = Work(a.work)
    variants = stage2_variants(a.variants)
    merged = w.root / "stage1-merged"
    merge(w, w.root / "base", stage1_source(w), merged)
    d = w.data
    base = ["--model", merged, "--stage", "finetune", "--finetune-params", "lora", "--image-root", d, *common(w),
            "--data", d / "finetune-train.jsonl", "--data", d / "text-train.jsonl",
            "--val-data", d / "finetune-val.jsonl"]
    devs = a.devices.split(",") if a.devices else w.devices()
    runs = {name: dict(kind="main", device=devs[i % len(devs)], args=[*base, *flags])
            for i, (name, flags) in enumerate(variants.items())}
    spt = calibrate(w, runs, 4 if w.state["small"] else 20)
    for name, r in runs.items():
        launch(w, name, r, 3 if w.state["small"] else int(a.budget_s / spt[name]), len(runs) + ablations_running(w))
    w.save()


# ---------------------------------------------------------------- final

def shipped_part(w, run_dir, out, drop_prefixes=()):
    """The trainable tensors of a run's last checkpoint (or of a part) in bfloat16, with its state.json (what vora
    merge reads)."""
    import torch
    from safetensors.torch import load_file, save_file
    run_dir = Path(run_dir)
    latest = run_dir / (run_dir / "latest").read_text().strip() if (run_dir / "latest").exists() else run_dir
    tensors = load_file(str(latest / "trainable.safetensors"))
    kept = {k: v.to(torch.bfloat16).contiguous() for k, v in sorted(tensors.items())
            if not any(k.startswith(p) for p in drop_prefixes)}
    out.mkdir(parents=True, exist_ok=True)
    save_file(kept, str(out / "trainable.safetensors"), metadata={"format": "pt"})
    shutil.copy(latest / "state.json", out / "state.json")
    return sum(v.numel() for v in kept.values())


def evaluate(w, model, data, root, device, limit, out):
    cmd = [w.vora, "eval", "--model", model, "--data", data, "--image-root", root, "--device", device, "--json",
           "--loss", "--out-records", str(out) + ".records.jsonl"]
    if limit:
        cmd += ["--limit", str(limit)]
    log("$", " ".join(str(c) for c in cmd))
    return subprocess.Popen([str(c) for c in cmd], stdout=open(out, "w"), stderr=open(str(out) + ".err", "w"))


def progress_logs(w):
    """Every run's progress.jsonl, relative to the work folder (what the log tarballs hold)."""
    return [str(Path(r["out"]).relative_to(w.root) / "progress.jsonl") for r in w.state["runs"].values()]


def final(a):
    w = Work(a.work)
    outdir = Path(a.out)
    outdir.mkdir(parents=True, exist_ok=True)
    chosen = best(w, "finetune-")
    w.state["stage2"] = chosen
    ship = w.root / "shipped"
    shutil.rmtree(ship, ignore_errors=True)
    n1 = shipped_part(w, stage1_run_or_part(w), ship / "stage1")
    n2 = shipped_part(w, w.state["runs"][chosen]["out"], ship / "stage2")
    w.state["shipped_parameters"] = {"stage1": n1, "stage2": n2}
    w.save()
    # The shipped parts leave first: everything after this (merges, evaluations) can be redone from them.
    subprocess.run(["tar", "czf", str(outdir / "demo-parts.tar.gz"), "-C", str(ship), "."], check=True)
    train_logs = progress_logs(w)
    subprocess.run(["tar", "czf", str(outdir / "train-logs.tar.gz"), "-C", str(w.root), "state.json",
                    *train_logs], check=False)
    # The model as packaging/demo-model builds it: base + shipped stage 1, then + shipped stage 2.
    merge(w, w.root / "base", ship / "stage1", w.root / "shipped-stage1")
    merge(w, w.root / "shipped-stage1", ship / "stage2", w.root / "demo")
    devs = a.devices.split(",") if a.devices else w.devices()
    small = w.state["small"]
    heldout = w.root / "heldout"
    # The whole test split (2,566 questions at seed 0): run 4's 300 held 18 number questions, too few to tell.
    evals = {"demo-test": evaluate(w, w.root / "demo", w.data / "finetune-test.jsonl", w.data, devs[0],
                                   40 if small else 0, w.root / "eval-demo-test.json"),
             "demo-heldout": evaluate(w, w.root / "demo", heldout / "heldout.jsonl", heldout,
                                      devs[1 % len(devs)], 20 if small else 0, w.root / "eval-demo-heldout.json")}
    # The other stage-2 candidates on the held-out scenes too: validation loss alone chose between them.
    for name in [n for n in w.state["runs"] if n.startswith("finetune-") and n != chosen]:
        if progress_of(w.state["runs"][name]).get("done"):
            merge(w, w.root / "shipped-stage1", w.state["runs"][name]["out"], w.root / f"{name}-merged")
            evals[f"{name}-heldout"] = evaluate(w, w.root / f"{name}-merged", heldout / "heldout.jsonl", heldout,
                                                devs[1 % len(devs)], 20 if small else 0,
                                                w.root / f"eval-{name}-heldout.json")
    # Then the ablation rows (started after stage 2 on a one-GPU machine, so they may still be training): their
    # parts leave as soon as they finish, then each is merged and evaluated.
    wait_for(w, "ablations", a.ablation_wait_s)
    ablations = {n: r for n, r in w.state["runs"].items() if r["kind"] == "ablation"}
    for name, r in ablations.items():
        shipped_part(w, r["out"], ship / "ablations" / name)
    if ablations:
        subprocess.run(["tar", "czf", str(outdir / "ablation-parts.tar.gz"), "-C", str(ship / "ablations"), "."],
                       check=True)
    for i, (name, r) in enumerate(ablations.items()):
        merged = w.root / f"{name}-merged"
        merge(w, w.root / "base", r["out"], merged)
        evals[name] = evaluate(w, merged, w.data / "finetune-test.jsonl", w.data, devs[(2 + i) % len(devs)],
                               20 if small else 300, w.root / f"eval-{name}.json")
    results = {"runs": {n: {**progress_of(r), "steps": r["steps"], "device": r["device"], "cmd": r["cmd"],
                            "wall_s": Path(r["out"], "progress.jsonl").stat().st_mtime - r["started"]}
                        for n, r in w.state["runs"].items()},
               "stage1": w.state["stage1"], "stage2": chosen, "shipped_parameters": w.state["shipped_parameters"],
               "calibration": w.state.get("calibration"), "eval": {}}
    for name, p in evals.items():
        p.wait()
        path = w.root / f"eval-{name}.json"
        try:
            results["eval"][name] = json.loads(path.read_text().strip().splitlines()[-1])
        except (ValueError, IndexError):
            results["eval"][name] = {"error": Path(str(path) + ".err").read_text()[-2000:]}
    (w.root / "results.json").write_text(json.dumps(results, indent=1))
    shutil.copy(w.root / "results.json", outdir / "results.json")
    logs = progress_logs(w)
    logs += [p.name for p in w.root.glob("eval-*.records.jsonl")] + ["data/manifest.json", "data/text-manifest.json"]
    subprocess.run(["tar", "czf", str(outdir / "demo-logs.tar.gz"), "-C", str(w.root), *logs], check=False)
    for name, e in results["eval"].items():
        log(name, json.dumps(e)[:600])


def collect(a):
    """Every run's newest checkpoint as a shipped part (bfloat16 tensors + state.json) with its progress.jsonl, one
    tarball per run (each a few MB: the device tool returns at most 8 files of 16 MB), plus the logs: run at every
    poll of a lease, so that whatever has trained is home even if the lease ends the next minute."""
    w = Work(a.work)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    staging = w.root / "collect"
    shutil.rmtree(staging, ignore_errors=True)
    for name, r in w.state.get("runs", {}).items():
        run_dir = Path(r["out"])
        if not (run_dir / "latest").exists():
            continue
        part = staging / name
        shipped_part(w, run_dir, part)
        shutil.copy(run_dir / "progress.jsonl", part / "progress.jsonl")
        subprocess.run(["tar", "czf", str(out / f"run-{name}.tar.gz"), "-C", str(staging), name], check=True)
    logs = [p.name for p in w.root.glob("*.log")] + ["state.json"]
    subprocess.run(["tar", "czf", str(out / "logs.tar.gz"), "-C", str(w.root), *logs], check=False)
    log("collected:", ", ".join(sorted(p.name for p in out.iterdir())))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="phase", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--work", required=True)
    s.add_argument("--gguf", required=True)
    s.add_argument("--fonts", required=True)
    s.add_argument("--heldout", required=True)
    s.add_argument("--vora", default="build/gpu/bin/vora")
    s.add_argument("--small", action="store_true", help="a tiny dry run on the CPU")
    s1 = sub.add_parser("stage1")
    s1.add_argument("--work", required=True)
    s1.add_argument("--budget-s", type=float, default=330)
    s1.add_argument("--ablation-budget-s", type=float, default=560)
    s1.add_argument("--ablations", choices=("beside", "after", "none"), default=None,
                    help="beside the pre-training run, after the shipped stages (the ablations phase), or none "
                         "(default: beside with several GPUs, after with one)")
    s1.add_argument("--reuse", default="", help="train no stage 1: stage 2 builds on this stage-1 part, which is "
                                                "also the one shipped (run 5: resources/demo-model/stage1)")
    s1.add_argument("--init-from", default="", help="start the pre-training run from this stage-1 part or run "
                                                    "(vora train --init-from), e.g. resources/demo-model/stage1")
    ab = sub.add_parser("ablations")
    ab.add_argument("--work", required=True)
    ab.add_argument("--budget-s", type=float, default=None, help="default: stage1's --ablation-budget-s")
    wt = sub.add_parser("wait")
    wt.add_argument("--work", required=True)
    wt.add_argument("--until", choices=("stage1", "ablations", "all"), required=True)
    wt.add_argument("--max-s", type=float, default=540)
    s2 = sub.add_parser("stage2")
    s2.add_argument("--work", required=True)
    s2.add_argument("--budget-s", type=float, default=240)
    s2.add_argument("--devices", default="", help="comma-separated devices for the runs (default: all)")
    s2.add_argument("--variants", default=STAGE2_VARIANTS,
                    help="the candidates, NAME:LR:LAYERS:RANK,... (LoRA on the first LAYERS blocks); run i on device "
                         f"i modulo the device count (default {STAGE2_VARIANTS})")
    f = sub.add_parser("final")
    f.add_argument("--work", required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--devices", default="", help="comma-separated devices for the evaluations (default: all)")
    f.add_argument("--ablation-wait-s", type=float, default=1500, help="how long to wait for the ablation rows")
    c = sub.add_parser("collect")
    c.add_argument("--work", required=True)
    c.add_argument("--out", required=True)
    a = p.parse_args(argv)
    {"setup": setup, "stage1": stage1, "ablations": ablations, "wait": wait, "stage2": stage2, "final": final,
     "collect": collect}[a.phase](a)


if __name__ == "__main__":
    main()
