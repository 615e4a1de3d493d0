#!/usr/bin/env python3
"""Tests of the synthetic-data generator (training/synth): determinism, the distribution's rules,
drawings that match their scenes, question rules, the held-out renderer and the prompt list.

  python3 tests/synth/test_synth.py        (CTest: test_synth_generator; needs PIL and numpy)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

from training.synth import heldout, prompts, questions, render, scenes, spec  # noqa: E402

FONTS = spec.DEFAULT_FONTS_DIR


def run_generator(*args):
    return subprocess.run([sys.executable, "-m", "training.synth", *args], cwd=ROOT, capture_output=True, text=True)


def tree_bytes(folder):
    out = {}
    for base, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = f.read()
    return out


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


class Determinism(unittest.TestCase):
    def test_same_seed_gives_identical_files_whatever_the_workers(self):
        with tempfile.TemporaryDirectory() as tmp:
            common = ["--seed", "5", "--train", "14", "--val", "3", "--test", "4", "--sizes", "96,64",
                      "--other-size-share", "0.3", "--fonts-dir", FONTS]
            one = run_generator("generate", "--out", f"{tmp}/a", "--workers", "1", *common)
            two = run_generator("generate", "--out", f"{tmp}/b", "--workers", "2", *common)
            self.assertEqual(one.returncode, 0, one.stderr)
            self.assertEqual(two.returncode, 0, two.stderr)
            a, b = tree_bytes(f"{tmp}/a"), tree_bytes(f"{tmp}/b")
            self.assertEqual(sorted(a), sorted(b))
            self.assertEqual(len([n for n in a if n.endswith(".png")]), 21)
            for name in a:
                self.assertEqual(a[name], b[name], name)
            other = run_generator("generate", "--out", f"{tmp}/c", "--workers", "1", *common[2:], "--seed", "6")
            self.assertEqual(other.returncode, 0, other.stderr)
            manifest_a = json.loads(a["manifest.json"])
            manifest_c = json.loads(tree_bytes(f"{tmp}/c")["manifest.json"])
            self.assertNotEqual(manifest_a["splits"]["train"]["images_sha256"], manifest_c["splits"]["train"]["images_sha256"])

    def test_committed_fixture_is_what_the_generator_writes(self):
        """tests/data/synth_tiny (used by the `vora eval` CLI test) is this generator's output."""
        with tempfile.TemporaryDirectory() as tmp:
            result = run_generator("generate", "--out", tmp, "--seed", "1", "--train", "0", "--val", "0", "--test", "8",
                                   "--sizes", "56", "--format", "ppm", "--workers", "1", "--fonts-dir", FONTS)
            self.assertEqual(result.returncode, 0, result.stderr)
            made, committed = tree_bytes(tmp), tree_bytes(os.path.join(ROOT, "tests", "data", "synth_tiny"))
            self.assertEqual(sorted(made), sorted(committed))
            for name in made:
                self.assertEqual(made[name], committed[name], name)

    def test_multi_turn_and_formats(self):
        """--multi-turn puts a picture's questions in one sample; PNG and PPM hold the same pixels."""
        with tempfile.TemporaryDirectory() as tmp:
            common = ["--train", "10", "--val", "0", "--test", "0", "--workers", "1", "--fonts-dir", FONTS]
            for name, extra in (("png", []), ("ppm", ["--format", "ppm", "--multi-turn"])):
                result = run_generator("generate", "--out", f"{tmp}/{name}", *common, *extra)
                self.assertEqual(result.returncode, 0, result.stderr)
            single, multi = read_jsonl(f"{tmp}/png/finetune-train.jsonl"), read_jsonl(f"{tmp}/ppm/finetune-train.jsonl")
            self.assertEqual(len(multi), 10)
            self.assertEqual(sum(len(r["conversations"]) for r in multi), sum(len(r["conversations"]) for r in single))
            for record in multi:
                turns = record["conversations"]
                self.assertEqual([t["from"] for t in turns], ["human", "gpt"] * (len(turns) // 2))
                self.assertEqual(sum(t["value"].count("<image>") for t in turns), 1)
                self.assertTrue(turns[0]["value"].startswith("<image>"))
            for record in read_jsonl(f"{tmp}/png/pretrain-train.jsonl"):
                frame = record["frames"][0]
                png = np.asarray(Image.open(f"{tmp}/png/{frame}").convert("RGB"))
                ppm = np.asarray(Image.open(f"{tmp}/ppm/{frame[:-3]}ppm").convert("RGB"))
                self.assertTrue(np.array_equal(png, ppm), frame)

    def test_manifest_counts_match_the_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = run_generator("generate", "--out", tmp, "--train", "20", "--val", "2", "--test", "6", "--workers", "1",
                                   "--format", "ppm", "--paraphrase-share", "0", "--fonts-dir", FONTS)
            self.assertEqual(result.returncode, 0, result.stderr)
            manifest = json.load(open(f"{tmp}/manifest.json"))
            for split in ("train", "val", "test"):
                rows = read_jsonl(f"{tmp}/finetune-{split}.jsonl")
                summary = manifest["splits"][split]
                self.assertEqual(summary["finetune_samples"], len(rows))
                types = {}
                for row in rows:
                    qtype = classify(row["conversations"][0]["value"])
                    types[qtype] = types.get(qtype, 0) + 1
                self.assertEqual({k: v for k, v in summary["finetune_questions"].items() if v}, types)
                self.assertEqual(summary["images"], summary.get("shapes_images", 0) + summary.get("number_images", 0))
            for name, entry in manifest["files"].items():
                self.assertEqual(os.path.getsize(f"{tmp}/{name}"), entry["bytes"])
            frame = read_jsonl(f"{tmp}/pretrain-train.jsonl")[0]["frames"][0]
            self.assertTrue(frame.endswith(".ppm"))
            with open(f"{tmp}/{frame}", "rb") as f:
                self.assertTrue(f.read(15).startswith(b"P6\n224 224\n255\n"))


def classify(question):
    """The question type by its exact wording (the generator's own phrasings, test split only)."""
    text = question.replace("<image>", "")
    for qtype, template in questions.EXACT.items():
        head = template.split("{")[0]
        if text.startswith(head) and (("{" in template) or text == template):
            return qtype
    raise AssertionError(f"not an exact phrasing: {question}")


class Distribution(unittest.TestCase):
    def test_shape_scenes_follow_the_rules(self):
        counts = set()
        for seed in range(400):
            side = 224
            scene = scenes.sample_shape_scene(np.random.default_rng(seed), side)
            counts.add(len(scene.shapes))
            self.assertTrue(1 <= len(scene.shapes) <= spec.MAX_SHAPES)
            self.assertTrue(any(all(abs(a - b) <= spec.BACKGROUND_JITTER for a, b in zip(scene.background, centre))
                                for centre in spec.BACKGROUNDS.values()), scene.background)
            gap = max(spec.MIN_GAP_PX / side, spec.MIN_GAP_FRACTION)
            for i, shape in enumerate(scene.shapes):
                self.assertTrue(spec.SHAPE_SIZE[0] <= shape.size <= spec.SHAPE_SIZE[1])
                centre = spec.COLOURS[shape.colour]
                self.assertTrue(all(abs(a - b) <= spec.COLOUR_JITTER for a, b in zip(shape.rgb, centre)), shape)
                x0, y0, x1, y1 = shape.box()
                self.assertTrue(x0 >= spec.EDGE_MARGIN - 1e-9 and y0 >= spec.EDGE_MARGIN - 1e-9)
                self.assertTrue(x1 <= 1 - spec.EDGE_MARGIN + 1e-9 and y1 <= 1 - spec.EDGE_MARGIN + 1e-9)
                for other in scene.shapes[i + 1:]:
                    self.assertTrue(scenes.boxes_apart(shape.box(), other.box(), gap - 1e-9))
        self.assertEqual(counts, {1, 2, 3, 4})

    def test_drawings_match_their_scenes(self):
        for seed in range(60):
            side = 224
            scene = scenes.sample_shape_scene(np.random.default_rng(seed), side)
            pixels = np.asarray(render.render_shapes(scene, side)).astype(int)
            self.assertEqual(pixels.shape, (side, side, 3))
            for shape in scene.shapes:
                outline = shape.outline()
                if outline is None:
                    cx, cy = shape.cx, shape.cy
                else:
                    cx, cy = np.mean([p[0] for p in outline]), np.mean([p[1] for p in outline])
                got = pixels[int(cy * side), int(cx * side)]
                self.assertTrue(np.all(np.abs(got - np.asarray(shape.rgb)) <= 1), (seed, shape, got))
            corner = pixels[0, 0]
            self.assertTrue(np.all(np.abs(corner - np.asarray(scene.background)) <= 1))
            # Antialiased: some edge pixels lie strictly between the background and a shape colour.
            levels = {tuple(p) for p in pixels.reshape(-1, 3)}
            self.assertGreater(len(levels), len(scene.shapes) + 1)

    def test_numbers_fit_and_have_the_drawn_height(self):
        fonts = render.FontBook(FONTS)
        heights = []
        for seed in range(60):
            scene = scenes.sample_number_scene(np.random.default_rng(seed), fonts.ink_aspect)
            self.assertTrue(0 <= scene.value <= 9999)
            self.assertTrue(spec.GLYPH_HEIGHT[0] <= scene.glyph_height <= spec.GLYPH_HEIGHT[1])
            side = 224
            pixels = np.asarray(render.render_number(scene, side, fonts)).astype(int)
            ink = np.abs(pixels - np.asarray(scene.background)).sum(axis=2) > 120
            rows, cols = np.nonzero(ink)
            self.assertTrue(len(rows) > 0, scene)
            height = (rows.max() - rows.min() + 1) / side
            heights.append(height)
            self.assertLess(abs(height - scene.glyph_height), 3 / side, (seed, scene, height))
            self.assertLess(abs(rows.min() / side - scene.y), 3 / side)
            self.assertLess(abs(cols.min() / side - scene.x), 3 / side)
            self.assertTrue(cols.max() < side - 1 and rows.max() < side - 1)
        self.assertLess(min(heights), 0.2)
        self.assertGreater(max(heights), 0.25)

    def test_missing_font_is_refused_by_name(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(os.path.join(FONTS, "DejaVuSans.ttf"), tmp)
            with self.assertRaises(render.MissingFontError) as caught:
                render.FontBook(tmp)
            self.assertIn("DejaVuSerif-Bold.ttf", str(caught.exception))
            self.assertNotIn("DejaVuSans.ttf,", str(caught.exception).split("missing font file(s)")[1].split("(")[0])
            result = run_generator("generate", "--out", f"{tmp}/out", "--fonts-dir", tmp, "--train", "1")
            self.assertEqual(result.returncode, 1)
            self.assertIn("missing font file(s)", result.stderr)


class Questions(unittest.TestCase):
    def test_thirds(self):
        names = [[questions.position_name(x, y) for x in (0.1, 0.5, 0.9)] for y in (0.1, 0.5, 0.9)]
        self.assertEqual(names, [["top left", "top", "top right"], ["left", "center", "right"],
                                 ["bottom left", "bottom", "bottom right"]])
        self.assertTrue(questions.thirds_clear(0.1, 0.9))
        self.assertFalse(questions.thirds_clear(0.34, 0.5))

    def test_questions_are_asked_only_when_the_answer_is_unique(self):
        facts = [questions.ShapeFact("circle", "red", 0.15, 0.15), questions.ShapeFact("circle", "red", 0.85, 0.85),
                 questions.ShapeFact("square", "blue", 0.5, 0.5), questions.ShapeFact("triangle", "red", 0.5, 0.15)]
        asked = questions.shape_questions(facts, np.random.default_rng(0), 0.0)
        by_type = {}
        for qtype, question, answer in asked:
            by_type.setdefault(qtype, []).append((question, answer))
        self.assertEqual(by_type["count"], [("How many shapes are in the image?", "There are 4 shapes.")])
        self.assertEqual(sorted(by_type["color"]), [("What color is the square?", "The square is blue."),
                                                    ("What color is the triangle?", "The triangle is red.")])
        self.assertEqual(by_type["shape"], [("What shape is the blue object?", "It is a square.")])
        self.assertEqual(sorted(by_type["position"]), [("Where is the blue square?", "The blue square is in the center."),
                                                       ("Where is the red triangle?", "The red triangle is at the top.")])
        self.assertEqual(by_type["describe"], [("Describe the image.", "There are 4 shapes: a red circle at the top left, "
                                                "a red triangle at the top, a blue square in the center and a red circle "
                                                "at the bottom right.")])
        self.assertEqual(questions.count_answer(1), "There is 1 shape.")
        self.assertEqual(questions.number_questions(407, np.random.default_rng(0), 0.0),
                         [("number", "What number is written in the image?", "The number is 407.")])

    def test_exists_questions_ask_one_pair_present_and_one_absent(self):
        facts = [questions.ShapeFact("circle", "red", 0.15, 0.15), questions.ShapeFact("square", "blue", 0.5, 0.5)]
        present = {("red", "circle"), ("blue", "square")}
        answers = {"Yes": 0, "No": 0}
        near = 0
        for seed in range(200):
            asked = questions.exists_questions(facts, np.random.default_rng(seed), 0.0)
            self.assertEqual([qa[0] for qa in asked], ["exists", "exists"])
            (_, q_yes, a_yes), (_, q_no, a_no) = asked
            article, colour, shape = q_yes[len("Is there "):-1].split()
            self.assertEqual(article, "an" if colour[0] in "aeiou" else "a")
            self.assertIn((colour, shape), present)
            self.assertEqual(a_yes, f"Yes, there is {'an' if colour[0] in 'aeiou' else 'a'} {colour} {shape}.")
            article, colour, shape = q_no[len("Is there "):-1].split()
            self.assertEqual(article, "an" if colour[0] in "aeiou" else "a")
            self.assertNotIn((colour, shape), present)
            self.assertIn(colour, spec.COLOURS)
            self.assertIn(shape, spec.SHAPES)
            self.assertEqual(a_no, f"No, there is no {colour} {shape}.")
            near += colour in ("red", "blue") or shape in ("circle", "square")
            answers["Yes"] += a_yes.startswith("Yes")
            answers["No"] += a_no.startswith("No")
        self.assertEqual(answers, {"Yes": 200, "No": 200})
        self.assertEqual(near, 200)  # a near miss exists in this scene, so the absent pair is always one

    def test_question_types_restrict_what_is_asked(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "d")
            r = run_generator("generate", "--out", out, "--seed", "3", "--train", "6", "--val", "2", "--test", "3",
                              "--number-share", "0", "--question-types", "exists", "--workers", "1", "--fonts-dir", FONTS)
            self.assertEqual(r.returncode, 0, r.stderr)
            test = read_jsonl(os.path.join(out, "finetune-test.jsonl"))
            self.assertEqual(len(test), 6)  # every picture of the test split: one yes, one no
            self.assertEqual(sorted(l["conversations"][1]["value"].split(",")[0].split()[0] for l in test),
                             ["No"] * 3 + ["Yes"] * 3)
            train = read_jsonl(os.path.join(out, "finetune-train.jsonl"))
            self.assertTrue(train and all("there" in l["conversations"][1]["value"] for l in train))
            with open(os.path.join(out, "manifest.json")) as f:
                self.assertEqual(json.load(f)["options"]["question_types"], ["exists"])
            r = run_generator("generate", "--out", os.path.join(tmp, "e"), "--question-types", "exists", "--fonts-dir", FONTS)
            self.assertEqual(r.returncode, 2)
            self.assertIn("--number-share 0", r.stderr)
            r = run_generator("generate", "--out", os.path.join(tmp, "f"), "--question-types", "colour", "--fonts-dir", FONTS)
            self.assertEqual(r.returncode, 2)
            self.assertIn("unknown question type(s) colour", r.stderr)

    def test_balanced_selection_covers_types(self):
        facts = [questions.ShapeFact("circle", "red", 0.15, 0.15), questions.ShapeFact("square", "blue", 0.85, 0.85)]
        asked = questions.shape_questions(facts, np.random.default_rng(0), 0.0)
        for seed in range(20):
            chosen = questions.select_balanced(asked, np.random.default_rng(seed), 3)
            self.assertEqual(len({qa[0] for qa in chosen}), 3)
        self.assertEqual(questions.select_balanced(asked, np.random.default_rng(0), 0), asked)


class Heldout(unittest.TestCase):
    @unittest.skipUnless(shutil.which("magick") or shutil.which("convert"), "needs ImageMagick")
    def test_heldout_drawings_match_their_questions(self):
        plans = heldout.build(3, 24, 224, 0.25, "png", FONTS)
        with tempfile.TemporaryDirectory() as tmp:
            tool = heldout._magick()
            checked = 0
            for index, (frame, commands, asked) in enumerate(plans):
                heldout._draw((tool, tmp, frame, 224, commands))
                pixels = np.asarray(Image.open(os.path.join(tmp, frame)).convert("RGB")).astype(int)
                rng = np.random.default_rng(np.random.SeedSequence([3, 0x4E1D, index]))
                rng.integers(len(heldout.BACKGROUNDS))
                if rng.random() < 0.25:
                    self.assertEqual(asked[0][0], "number")
                    continue
                for kind, colour, rgb, cx, cy, size in heldout._shape_layout(rng):
                    y = cy + (size * 0.2 if kind == "triangle" else 0)  # below the apex: inside every triangle
                    got = pixels[int(y * 224), int(cx * 224)]
                    self.assertTrue(np.all(np.abs(got - np.asarray(rgb)) <= 2), (frame, kind, colour, got, rgb))
                    checked += 1
            self.assertGreater(checked, 20)


class Prompts(unittest.TestCase):
    def test_every_template_fills_and_prompts_are_distinct(self):
        slots = prompts.load_slots()
        rng = np.random.default_rng(0)
        for template in prompts.load_templates():
            text = prompts.fill(template, slots, rng)
            self.assertNotIn("{", text, template)
        self.assertGreaterEqual(len(prompts.load_templates()), 200)
        made = prompts.make_prompts(1, 3000)
        self.assertEqual(len(made), len(set(made)))
        self.assertEqual(made, prompts.make_prompts(1, 3000))
        self.assertFalse(any(" a engineer" in p or " a octopus" in p for p in made))


if __name__ == "__main__":
    unittest.main(verbosity=2)
