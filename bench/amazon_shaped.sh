#!/usr/bin/env bash
# A synthetic Amazon-Books-shaped run (603,668 users, 367,982 items, 8,898,041
# interactions, Zipf-like item popularity; the Amazon-Books shape of the paper's data table) to check memory and
# throughput at catalogue scale with --lazy-adam. The data is random: only
# speed and memory mean anything here.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/amazon-shaped}
mkdir -p "$OUT"
if [ ! -f "$OUT/interactions.csv" ]; then
  .venv-bench/bin/python - "$OUT/interactions.csv" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(0)
users, items, total = 603_668, 367_982, 8_898_041
lengths = rng.multinomial(total - 5 * users, np.ones(users) / users) + 5
ranks = np.arange(1, items + 1)
p = 1.0 / ranks ** 0.8; p /= p.sum()
item = rng.choice(items, size=total, p=p) + 1
user = np.repeat(np.arange(users), lengths)
t = np.concatenate([np.arange(n) for n in lengths])
with open(sys.argv[1], "w") as f:
    f.write("user,item,timestamp\n")
    for s in range(0, total, 1_000_000):
        np.savetxt(f, np.stack([user[s:s+1_000_000], item[s:s+1_000_000], t[s:s+1_000_000]], 1), fmt="%d", delimiter=",")
PY
fi
[ -n "${GEN_ONLY:-}" ] && exit 0
make -s build >/dev/null
/usr/bin/time -v .build/release/re4 train --data "$OUT/interactions.csv" --lazy-adam --epochs 1 \
    --samples-per-epoch ${SAMPLES:-102400} --threads 2 --out "$OUT/run" 2>&1 \
  | grep -E "epoch|Maximum resident|Elapsed"
