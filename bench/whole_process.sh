#!/usr/bin/env bash
# Whole processes, re4 against the PyTorch reference, on ML-1M (issue 19,
# "no overhead outside the training step"): each side starts, loads the data,
# trains BATCHES batches of 1024, evaluates every held-out user on the full
# gallery and writes its model; wall time from outside, same run, ratios.
# Also: re4's training-loop rate against `re4 bench`'s step rate, and the
# share of the epoch spent in evaluation.
#   bench/whole_process.sh            (300 batches)
#   BATCHES=full bench/whole_process.sh   (one whole ML-1M epoch)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
BATCHES=${BATCHES:-300}
bash bench/setup-venv.sh
make -s build >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bench=$(.build/release/re4 bench --data ml-1m --steps 20 --threads "$THREADS" --json)
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); python3 -c "print($t1 - $t0)"; }
printf "%-5s %9s %11s %7s %14s %11s\n" model "re4 s" "PyTorch s" ratio "loop / bench" "eval share"
for variant in base re4; do
  flag=""; [ "$variant" = base ] && flag=--base
  if [ "$BATCHES" = full ]; then
    samples=$(.build/release/re4 data stats ml-1m | awk '/training examples/ {gsub(",", "", $3); print $3}'); cap=()
  else samples=$((BATCHES * 1024)); cap=(--samples-per-epoch "$samples"); fi
  rm -rf "$tmp/run"
  re4_s=$(wall .build/release/re4 train --data ml-1m --seed 1 $flag --epochs 1 "${cap[@]}" --threads "$THREADS" --out "$tmp/run")
  torch_s=$(wall .venv-bench/bin/python bench/pytorch_re4.py --data ml-1m --threads "$THREADS" --batches $(( (samples + 1023) / 1024 )) \
    $flag --whole "$tmp/model.pt")
  python3 - "$variant" "$re4_s" "$torch_s" "$bench" "$tmp/run/log.jsonl" "$samples" <<'PY'
import json, sys
variant, re4_s, torch_s, bench, log, samples = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4]), sys.argv[5], int(sys.argv[6])
name = "base" if variant == "base" else "re4 (all flows)"
step = [v["examples_per_s"] for v in bench["variants"] if v["variant"] == name][0]
rec = json.loads(open(log).readline())
# The log keeps the training rate (examples / training seconds) and the epoch's seconds (training + evaluation).
eps, secs = rec["examples_per_s"], rec["seconds"]
eval_share = max(0.0, secs - samples / eps) / secs
print("%-5s %9.1f %11.1f %6.2fx %13.0f%% %10.1f%%" % (variant, re4_s, torch_s, torch_s / re4_s, 100 * eps / step, 100 * eval_share))
PY
done
