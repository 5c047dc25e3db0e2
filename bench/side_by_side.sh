#!/usr/bin/env bash
# Is a grid of runs faster as one run at a time on every core, or as several
# runs side by side with the cores split between them (`make reproduce JOBS=N`)?
# Times the training step (`re4 bench --variants base,re4`) once with all
# THREADS threads, then as JOBS processes of THREADS/JOBS threads started
# together, and prints the examples/s in total and the ratio.
#   bench/side_by_side.sh [DATA]         (default: ml-1m; THREADS=2 JOBS=2 STEPS=40)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-ml-1m}
THREADS=${THREADS:-2} JOBS=${JOBS:-2} STEPS=${STEPS:-40}
per=$(( THREADS / JOBS > 0 ? THREADS / JOBS : 1 ))
make -s build >/dev/null
re4=.build/release/re4
eps() { python3 -c "import json,sys; d=json.load(open('$1')); print([v['examples_per_s'] for v in d['variants'] if v['variant']=='$2'][0])"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
$re4 bench --data "$data" --steps "$STEPS" --threads "$THREADS" --variants base,re4 --json > "$tmp/one.json"
for j in $(seq "$JOBS"); do $re4 bench --data "$data" --steps "$STEPS" --threads "$per" --variants base,re4 --json > "$tmp/side$j.json" & done
wait
printf "%-6s %18s %26s %7s\n" model "1 × $THREADS threads ex/s" "$JOBS × $per thread(s) ex/s" ratio
for v in base "re4 (all flows)"; do
  one=$(eps "$tmp/one.json" "$v")
  side=0; for j in $(seq "$JOBS"); do side=$(python3 -c "print($side + $(eps "$tmp/side$j.json" "$v"))"); done
  python3 -c "print('%-6s %18.0f %26.0f %6.2fx' % ('${v%% *}', $one, $side, $side / $one))"
done
