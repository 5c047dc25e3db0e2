#!/usr/bin/env bash
# Trains a grid of runs, one line of GRID per run: "FOLDER ARGS…".
# A run folder that holds a run is continued with --resume: `re4 train` itself
# leaves a finished run untouched (its last epoch reached, or its patience run
# out) and continues an interrupted one from its last completed epoch; a
# missing run starts. So the grid can be started again at any time.
# In ARGS, @RUNS@ stands for RUNS_DIR (for data generated into it).
# Usage: scripts/train-grid.sh RE4_BINARY RUNS_DIR EPOCHS PATIENCE GRID_FILE [EXTRA ARGS…]
set -euo pipefail
re4=$1 runs=$2 epochs=$3 patience=$4 grid=$5
shift 5
mkdir -p "$runs"
while read -r name args; do
  case "$name" in ''|'#'*) continue ;; esac
  dir="$runs/$name"
  args=${args//@RUNS@/$runs}
  resume=""
  [ -f "$dir/last.optim.safetensors" ] && resume="--resume"
  echo "grid: $name ${resume:-(new)}"
  # shellcheck disable=SC2086
  "$re4" train --epochs "$epochs" --patience "$patience" --out "$dir" $args "$@" $resume
done < "$grid"
