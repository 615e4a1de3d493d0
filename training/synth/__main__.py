"""python3 -m training.synth COMMAND ...

  generate   pictures + pre-training and fine-tuning JSON lines + manifest (train/val/test)
  heldout    scenes drawn by the independent ImageMagick renderer (a "heldout" test split)
  prompts    the text-only prompt list that distill_text.py answers with the base model
"""
import argparse
import os
import sys

from . import spec


def _sizes(text: str):
    try:
        sizes = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes: {text!r} is not a comma-separated list of integers")
    if not sizes or any(s < 16 or s > 4096 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes: every size must be between 16 and 4096")
    return sizes


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def _parser():
    parser = argparse.ArgumentParser(prog="python3 -m training.synth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    g = commands.add_parser("generate", help="shape scenes and numbers with questions (docs/synthetic-data.md)")
    g.add_argument("--out", required=True, help="output folder (the --image-root of vora train/eval)")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--train", type=int, default=1000, help="training pictures")
    g.add_argument("--val", type=int, default=100, help="validation pictures")
    g.add_argument("--test", type=int, default=200, help="test pictures (every question, exact phrasings)")
    g.add_argument("--sizes", type=_sizes, default=(224,), help="output side, then optional other sides: 224,160,320")
    g.add_argument("--other-size-share", type=_share, default=0.0, help="share drawn at one of the other --sizes")
    g.add_argument("--number-share", type=_share, default=0.4, help="share of number pictures")
    g.add_argument("--format", choices=("png", "ppm"), default="png", help="ppm for vora builds without OpenCV")
    g.add_argument("--questions-per-image", type=int, default=3, help="fine-tuning questions per picture, 0 = all")
    g.add_argument("--multi-turn", action="store_true", help="one multi-turn sample per picture")
    g.add_argument("--paraphrase-share", type=_share, default=0.25, help="training questions in other wordings")
    g.add_argument("--question-types", type=_question_types, default=(),
                   help="comma-separated types to ask, of " + ", ".join(_all_question_types())
                        + " (default: the first six; 'exists' is a task the demo model was not taught)")
    g.add_argument("--fonts-dir", default=spec.DEFAULT_FONTS_DIR)
    g.add_argument("--workers", type=int, default=os.cpu_count() or 1)

    h = commands.add_parser("heldout", help="held-out scenes drawn with ImageMagick by independent code")
    h.add_argument("--out", required=True)
    h.add_argument("--seed", type=int, default=0)
    h.add_argument("--count", type=int, default=300)
    h.add_argument("--size", type=int, default=224)
    h.add_argument("--number-share", type=_share, default=0.3)
    h.add_argument("--fonts-dir", default=spec.DEFAULT_FONTS_DIR)
    h.add_argument("--format", choices=("png", "ppm"), default="png")
    h.add_argument("--workers", type=int, default=os.cpu_count() or 1)

    p = commands.add_parser("prompts", help="text-only prompts for self-distillation")
    p.add_argument("--out", required=True, help="prompts JSON-lines file")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--val-share", type=_share, default=0.05)
    return parser


def _all_question_types():
    from . import questions
    return questions.QUESTION_TYPES + questions.EXTRA_QUESTION_TYPES


def _question_types(text: str):
    types = tuple(t.strip() for t in text.split(",") if t.strip())
    unknown = [t for t in types if t not in _all_question_types()]
    if unknown or not types:
        raise argparse.ArgumentTypeError(f"unknown question type(s) {', '.join(unknown) or '(none)'}; "
                                         f"known: {', '.join(_all_question_types())}")
    return types


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "generate":
        from . import dataset, items, render
        if args.question_types and "number" not in args.question_types and args.number_share > 0:
            print("error: --question-types without 'number' asks nothing about number pictures: add --number-share 0",
                  file=sys.stderr)
            return 2
        options = items.ItemOptions(args.seed, args.sizes, args.other_size_share, args.number_share, args.format,
                                    args.questions_per_image, args.paraphrase_share, args.question_types)
        try:
            dataset.generate(options, args.out, {"train": args.train, "val": args.val, "test": args.test},
                             args.multi_turn, args.fonts_dir, max(1, args.workers))
        except render.MissingFontError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    elif args.command == "heldout":
        from . import heldout
        return heldout.main(args)
    elif args.command == "prompts":
        from . import prompts
        prompts.write_prompts(args.out, args.seed, args.count, args.val_share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
