#!/usr/bin/env bash
# Trains a grid of runs, one line of GRID per run: "FOLDER ARGS…".
# A finished run is skipped; an interrupted one continues with --resume; a
# missing one starts. "Finished" = the log reached EPOCHS, or PATIENCE epochs
# have passed since the best validation epoch (the trainer's early stop).
# Usage: scripts/train-grid.sh RE4_BINARY RUNS_DIR EPOCHS PATIENCE GRID_FILE [EXTRA ARGS…]
set -euo pipefail
re4=$1 runs=$2 epochs=$3 patience=$4 grid=$5
shift 5
finished() {  # $1 = run folder
  [ -f "$1/log.jsonl" ] || return 1
  python3 - "$1/log.jsonl" "$epochs" "$patience" <<'PY'
import json, sys
path, epochs, patience = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [json.loads(l) for l in open(path) if l.strip()]
if not rows: sys.exit(1)
last = max(r["epoch"] for r in rows)
best = max(rows, key=lambda r: (r["valid"]["recall@50"], -r["epoch"]))["epoch"]
sys.exit(0 if last >= epochs or last - best >= patience else 1)
PY
}
mkdir -p "$runs"
while read -r name args; do
  case "$name" in ''|'#'*) continue ;; esac
  dir="$runs/$name"
  if finished "$dir"; then echo "grid: $name finished, skipped"; continue; fi
  resume=""
  [ -f "$dir/last.optim.safetensors" ] && resume="--resume"
  echo "grid: $name ${resume:-(new)}"
  # shellcheck disable=SC2086
  "$re4" train --epochs "$epochs" --patience "$patience" --out "$dir" $args "$@" $resume
done < "$grid"
