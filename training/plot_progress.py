"""Loss curves from `vora train` runs: one panel for training loss (a running mean) and one for validation loss.

    python3 -m training.plot_progress --out curves.png RUN_DIR_OR_PROGRESS_JSONL...

Each argument is a run folder (its progress.jsonl is read) or a progress.jsonl file; the legend uses the run
folder's name. Needs matplotlib."""
import argparse
import json
from pathlib import Path


def read_run(path):
    path = Path(path)
    progress = path / "progress.jsonl" if path.is_dir() else path
    steps, losses, val_steps, val_losses = [], [], [], []
    for line in progress.read_text().splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        if event.get("event") == "step":
            steps.append(event["step"])
            losses.append(event["loss"])
        elif event.get("event") == "validation":
            val_steps.append(event["step"])
            val_losses.append(event["val_loss"])
    return progress.parent.name, steps, losses, val_steps, val_losses


def running_mean(values, window):
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m training.plot_progress", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--out", required=True, help="PNG file")
    parser.add_argument("--window", type=int, default=20, help="steps in the training loss's running mean")
    parser.add_argument("--title", default="")
    args = parser.parse_args(argv)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (train_ax, val_ax) = plt.subplots(1, 2, figsize=(11, 4), dpi=110)
    for run in args.runs:
        name, steps, losses, val_steps, val_losses = read_run(run)
        line, = train_ax.plot(steps, running_mean(losses, args.window), label=name, linewidth=1.2)
        val_ax.plot(val_steps, val_losses, marker="o", color=line.get_color(), label=name)
    train_ax.set(title=f"training loss (mean of {args.window} steps)", xlabel="step", ylabel="loss", yscale="log")
    val_ax.set(title="validation loss", xlabel="step", ylabel="loss")
    for ax in (train_ax, val_ax):
        ax.grid(alpha=0.3)
    val_ax.legend(fontsize=8)
    if args.title:
        fig.suptitle(args.title)
    fig.tight_layout()
    fig.savefig(args.out)


if __name__ == "__main__":
    main()
