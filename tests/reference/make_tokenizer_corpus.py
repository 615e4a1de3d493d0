#!/usr/bin/env python3
"""Writes tests/data/tokenizer_parity/corpus.jsonl: >= 2,000 varied strings, one JSON string a line.

Deterministic (seeded). Covers many scripts, emoji sequences, NFD text and combining marks, code,
Unicode whitespace, digits, contractions in any case, special-token look-alikes and real special
strings, very long words, random code points and bytes read as Latin-1, and the empty string.
Usage: python3 tests/reference/make_tokenizer_corpus.py [OUT]
"""
import json
import random
import sys
import unicodedata
from pathlib import Path

SEED = 20261127
OUT = Path(__file__).resolve().parents[1] / "data" / "tokenizer_parity" / "corpus.jsonl"

SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêëàâäôöûüçñßøåæœÉÀÇŒ",
    "cyrillic": [chr(c) for c in range(0x410, 0x450)] + ["ё", "Ё", "і", "ї", "є"],
    "greek": [chr(c) for c in range(0x391, 0x3AA) if c != 0x3A2] + [chr(c) for c in range(0x3B1, 0x3CA)] + ["ά", "ώ", "ΐ"],
    "arabic": [chr(c) for c in range(0x621, 0x64B)] + ["\u064b", "\u0650", "٣", "٤"],
    "hebrew": [chr(c) for c in range(0x5D0, 0x5EB)] + ["\u05b7", "\u05bc"],
    "devanagari": [chr(c) for c in range(0x905, 0x939)] + ["\u093e", "\u093f", "\u0940", "\u094d", "\u0902", "\u0901", "१", "२"],
    "thai": [chr(c) for c in range(0xE01, 0xE2F)] + ["\u0e31", "\u0e34", "\u0e35", "\u0e48", "\u0e49", "๑"],
    "cjk": [chr(c) for c in range(0x4E00, 0x4E00 + 400)] + list("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年"),
    "kana": [chr(c) for c in range(0x3041, 0x3097)] + [chr(c) for c in range(0x30A1, 0x30FB)],
    "hangul": [chr(c) for c in range(0xAC00, 0xAC00 + 600)] + list("안녕하세요세계한국어"),
}
EMOJI = ["😀", "😂", "🥲", "❤️", "👍", "👍🏽", "👍🏿", "👨‍👩‍👧‍👦", "👩🏽‍💻", "🏳️‍🌈", "🇫🇷", "🇯🇵", "🇺🇸",
         "1️⃣", "#️⃣", "🧑‍🤝‍🧑", "🫠", "✨", "🔥", "🙏🏻", "👁️‍🗨️", "🤷‍♀️", "©", "™", "☃", "🀄", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]
SPACES = [" ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n", "\u00a0", "\u3000", "\u2009", "\u2002", "\u200a",
          "\u202f", "\u205f", "\u1680", "\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f",
          "\u200b", "\ufeff", "\r", " \t ", "\n \n", "\t\n"]
PUNCT = list(".,;:!?-_()[]{}<>\"'`/\\|@#$%^&*+=~") + ["...", "—", "–", "«", "»", "“", "”", "‘", "’", "¿", "¡", "。", "、", "！", "？", "・"]
SPECIALS = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|vision_start|>", "<|image_pad|>", "<s>", "</s>", "<unk>",
            "<think>", "</think>", "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<image>"]
LOOKALIKES = ["<|im_start|", "<| im_start|>", "<|IM_START|>", "<<|im_end|>>", "<|im_start|><|im_end|>", "< s>",
              "<s >", "<ss>", "</s/>", "<|endoftext|", "|endoftext|>", "<|im_start|>user", "<|im_end|>\n<|im_start|>"]
CODE = [
    "def f(x):\n    return x ** 2  # square\n",
    "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}",
    "const add = (a, b) => a + b;\nconsole.log(add(1, 2));",
    "fn main() {\n    let v: Vec<u8> = vec![1, 2, 3];\n    println!(\"{:?}\", v);\n}",
    "#include <iostream>\nint main() { std::cout << \"hi\\n\"; }",
    "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;",
    "if [ -f \"$HOME/.bashrc\" ]; then\n  source ~/.bashrc\nfi",
    "{\"key\": [1, 2.5, null, true], \"nested\": {\"a\": \"b\"}}",
    "<div class=\"x\">Hello &amp; welcome</div>\r\n<br/>",
    "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"héllo\") }",
    "    indented_code = True\n        deeper = [i for i in range(10) if i % 2]",
    "x=1;y=2;z=x+y*3-4/5%6",
    "public static void main(String[] args) throws IOException {}",
    "@decorator\nclass Foo(Bar, metaclass=Meta):\n    __slots__ = ('a',)",
    "$ git commit -m 'fix: handle \\r\\n'\r\n",
]
CONTRACTIONS = ["don't", "DON'T", "We'Ll", "it's", "IT'S", "you're", "YOU'RE", "I've", "i'VE", "I'm", "I'M", "she'd",
                "SHE'D", "they'll", "'s", "'S", "'t", "'re", "'Ve", "'M", "'LL", "'d", "'ſ", "'x", "''s", "o'clock",
                "rock'n'roll", "Jones'", "’s"]


def word(rng, alphabet, lo=1, hi=10):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def sentence(rng, alphabets, words=None):
    parts = []
    for _ in range(words or rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.6:
            parts.append(word(rng, rng.choice(alphabets)))
        elif roll < 0.7:
            parts.append(str(rng.randint(0, 10 ** rng.randint(1, 12))))
        elif roll < 0.82:
            parts.append(rng.choice(PUNCT))
        elif roll < 0.9:
            parts.append(rng.choice(EMOJI))
        else:
            parts.append(rng.choice(CONTRACTIONS))
        parts.append(rng.choice(SPACES) if rng.random() < 0.25 else " ")
    return "".join(parts[:-1] if rng.random() < 0.7 else parts)


def random_code_points(rng, n):
    out = []
    while len(out) < n:
        cp = rng.randint(0, 0x10FFFF) if rng.random() < 0.5 else rng.randint(0, 0x3000)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        out.append(chr(cp))
    return "".join(out)


def build():
    rng = random.Random(SEED)
    corpus = ["", "Hello, world!", "Hello world!", " ", "\n", "a", "  leading and trailing  ", "Describe the image.",
              "What is in this picture?", "The quick brown fox jumps over the lazy dog."]
    corpus += [chr(c) for c in range(1, 128)]
    corpus += CODE + CONTRACTIONS + SPECIALS + LOOKALIKES + EMOJI + SPACES
    corpus += ["".join(SPECIALS), " ".join(SPECIALS), "text<|im_end|>more", "<|im_start|>system\nYou are a helpful "
               "assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
               "<s>[INST] Hi [/INST]</s>", "x<s>y</s>z", "<unk><unk>", "<think>\nhmm\n</think>\n\nanswer"]
    names = list(SCRIPTS)
    for name in names:  # per script
        for _ in range(60):
            corpus.append(sentence(rng, [SCRIPTS[name]]))
    for _ in range(400):  # mixed scripts
        corpus.append(sentence(rng, [SCRIPTS[n] for n in rng.sample(names, 3)]))
    for _ in range(120):  # NFD text, stacked combining marks, decomposed Hangul
        base = sentence(rng, [SCRIPTS["latin"], SCRIPTS["hangul"], SCRIPTS["greek"], list("Ạảấầẩẫậắằẳẵặẹẻẽếềểễệ")])
        form = rng.choice(["NFD", "NFKD", "NFC"])
        text = unicodedata.normalize(form, base)
        if rng.random() < 0.4:
            marks = ["\u0301", "\u0323", "\u0308", "\u0327", "\u031b", "\u0345", "\u0300", "\u05b7", "\u093c"]
            text += "".join(rng.choice(marks) for _ in range(rng.randint(1, 4)))
        corpus.append(text)
    for _ in range(60):  # whitespace runs around words
        corpus.append("".join(rng.choice(SPACES) + (word(rng, SCRIPTS["latin"], 1, 5) if rng.random() < 0.5 else "")
                              for _ in range(rng.randint(1, 8))))
    for _ in range(60):  # digits and numbers
        corpus.append(rng.choice(["", "$", "€", "v", " "]) + str(rng.randint(0, 10 ** rng.randint(1, 40)))
                      + rng.choice(["", ".5", ",000", "%", "th", " km", "e-10", "١٢٣", "²", "½", "Ⅻ"]))
    for _ in range(80):  # contractions in any case
        corpus.append(" ".join(rng.choice(CONTRACTIONS).swapcase() if rng.random() < 0.3 else rng.choice(CONTRACTIONS)
                               for _ in range(rng.randint(1, 5))))
    for _ in range(80):  # special strings and look-alikes inside text
        corpus.append(sentence(rng, [SCRIPTS["latin"]], 3) + rng.choice(SPECIALS + LOOKALIKES)
                      + rng.choice(["", " ", "\n"]) + sentence(rng, [SCRIPTS["latin"], SCRIPTS["cjk"]], 3))
    for _ in range(40):  # code
        corpus.append(rng.choice(CODE).replace("x", word(rng, SCRIPTS["latin"], 1, 6)))
    for n in (100, 300, 1000):  # very long words
        corpus += ["a" * n, word(rng, SCRIPTS["latin"], n, n), word(rng, SCRIPTS["cjk"], n // 4, n // 4), "9" * n,
                   "!" * n, " " * n, "😀" * (n // 10)]
    for _ in range(120):  # random code points and bytes as Latin-1
        corpus.append(random_code_points(rng, rng.randint(1, 30)))
        corpus.append(bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 30))).decode("latin-1"))
    for _ in range(200):  # emoji-heavy sentences
        corpus.append(sentence(rng, [SCRIPTS["latin"], EMOJI, SCRIPTS["cjk"]]))
    return corpus


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    corpus = build()
    assert len(corpus) >= 2000, len(corpus)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for text in corpus:
            f.write(json.dumps(text, ensure_ascii=True) + "\n")
    print(f"{len(corpus)} strings -> {out}")


if __name__ == "__main__":
    main()
