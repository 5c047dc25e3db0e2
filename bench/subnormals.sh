#!/usr/bin/env bash
# What flushing subnormal floats to zero buys (docs/performance.md § Subnormal
# numbers). Trains Base on the gallery study's largest planted gallery
# (200,000 generated items, 114,185 drawn) for WARM short epochs, then trains
# one more epoch from that state twice: as the toolkit runs (subnormals
# flushed) and with RE4_KEEP_SUBNORMALS=1. Prints examples/s, the ratio and
# both epochs' validation and test Recall@50.
#   bench/subnormals.sh [WORK_DIR]      (default /tmp/re4-subnormals; WARM=4 STEPS=100 BASE=--base)
# BASE= (empty) measures Re4 instead.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/re4-subnormals}
WARM=${WARM:-4} STEPS=${STEPS:-100} BASE=${BASE---base}
make -s build >/dev/null
re4=$PWD/.build/release/re4
mkdir -p "$work"
[ -f "$work/synth/truth.csv" ] || $re4 data synth --out "$work/synth" --items 200000 --fixed-users --seed 1 >/dev/null
common=(--data "$work/synth" --seed 1 $BASE --embedding-std 0.1 --threads 1 --samples-per-epoch $(( STEPS * 1024 )))
tag=${BASE:+base}; tag=${tag:-re4}
[ -f "$work/warm-$tag/log.jsonl" ] || $re4 train "${common[@]}" --epochs "$WARM" --out "$work/warm-$tag" >/dev/null
for mode in flush keep; do
  rm -rf "$work/$mode-$tag"; cp -r "$work/warm-$tag" "$work/$mode-$tag"
  keep=0; [ $mode = keep ] && keep=1
  RE4_KEEP_SUBNORMALS=$keep $re4 train "${common[@]}" --epochs $(( WARM + 1 )) --out "$work/$mode-$tag" --resume >/dev/null
done
python3 - "$work/flush-$tag/log.jsonl" "$work/keep-$tag/log.jsonl" "$tag" <<'PY'
import json, sys
last = [json.loads(open(p).read().splitlines()[-1]) for p in sys.argv[1:3]]
for name, r in zip(["flushed (default)", "kept (RE4_KEEP_SUBNORMALS=1)"], last):
    print(f"{sys.argv[3]:5} {name:30} {r['examples_per_s']:9.0f} ex/s  valid R@50 {r['valid_recall@50']:.4f}  test R@50 {r['test_recall@50']:.4f}")
print(f"ratio flushed / kept: {last[0]['examples_per_s'] / last[1]['examples_per_s']:.2f}x")
PY
