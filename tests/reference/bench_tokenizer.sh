#!/usr/bin/env bash
# Encoding throughput of `vora tokenize` against HF tokenizers on the same text, same machine, same run.
# Not a test. Usage (inside the toolbox, after building `vora`):
#   packaging/env bash tests/reference/bench_tokenizer.sh [PYTHON_WITH_TOKENIZERS] [MB]
# Our number: wall time of `vora tokenize` on the whole text minus its time on empty input (file
# loading), i.e. one thread. HF: Tokenizer.encode of the whole text (one thread) and encode_batch of
# its lines (rayon, all cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${1:-python3}
MB=${2:-4}
VORA=${VORA:-build/dev/bin/vora}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PYTHON" - "$MB" "$work/text.txt" <<'PY'
import json, sys
corpus = [json.loads(l) for l in open("tests/data/tokenizer_parity/corpus.jsonl", encoding="utf-8")]
prose = ("The quick brown fox jumps over the lazy dog. It's 2026 and we're encoding 1,234,567 tokens; "
         "don't worry about it.\n")
target = int(float(sys.argv[1]) * 1e6)
parts, size, i = [], 0, 0
while size < target:
    piece = prose * 3 + corpus[i % len(corpus)] + "\n"
    parts.append(piece); size += len(piece.encode("utf-8")); i += 1
open(sys.argv[2], "w", encoding="utf-8", newline="").write("".join(parts))
PY
bytes=$(stat -c %s "$work/text.txt")
now() { date +%s.%N; }
for tok in qwen2 gpt2; do
  path=tests/data/tokenizers/$tok
  t0=$(now); "$VORA" tokenize --tokenizer "$path" < /dev/null > /dev/null; t1=$(now)
  "$VORA" tokenize --tokenizer "$path" < "$work/text.txt" > "$work/ours_$tok.json"; t2=$(now)
  ours=$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { print (c - b) - (b - a) }')
  "$PYTHON" - "$path" "$work/text.txt" "$work/ours_$tok.json" "$ours" "$bytes" "$tok" <<'PY'
import json, sys, time, os
from tokenizers import Tokenizer
path, text_path, ours_path, ours_s, nbytes, name = sys.argv[1:]
nbytes = int(nbytes); ours_s = float(ours_s)
p = path + "/tokenizer.json" if os.path.exists(path + "/tokenizer.json") else None
if p:
    tok = Tokenizer.from_file(p)
else:
    from tokenizers import models, pre_tokenizers, decoders
    tok = Tokenizer(models.BPE.from_file(path + "/vocab.json", path + "/merges.txt"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.add_special_tokens(["<|endoftext|>"])
tok.encode_special_tokens = True
text = open(text_path, encoding="utf-8", newline="").read()
t = time.perf_counter(); ids = tok.encode(text, add_special_tokens=False).ids; single = time.perf_counter() - t
lines = text.splitlines(keepends=True)
t = time.perf_counter(); tok.encode_batch(lines, add_special_tokens=False); batch = time.perf_counter() - t
ours_ids = json.load(open(ours_path))
mb = nbytes / 1e6
print(f"{name}: {mb:.1f} MB, {len(ids)} tokens, ids equal: {ours_ids == ids}")
print(f"  vora (1 thread)          {mb / ours_s:8.2f} MB/s")
print(f"  HF encode (1 thread)     {mb / single:8.2f} MB/s")
print(f"  HF encode_batch ({os.cpu_count()} cores) {mb / batch:8.2f} MB/s")
PY
done
