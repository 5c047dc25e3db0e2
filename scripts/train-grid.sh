#!/usr/bin/env bash
# Trains a grid of runs, one line of GRID per run: "FOLDER ARGS…".
# A run folder that holds a run is continued with --resume: `re4 train` itself
# leaves a finished run untouched (its last epoch reached, or its patience run
# out) and continues an interrupted one from its last completed epoch; a
# missing run starts. So the grid can be started again at any time.
# In ARGS, @RUNS@ stands for RUNS_DIR (for data generated into it).
#
# GRID_JOBS=N runs N workers side by side, each taking the next run no other
# worker has taken; an flock on RUNS_DIR/.FOLDER.lock also keeps two grids
# started at once off the same run. Give each worker its share of the cores
# with --threads in EXTRA ARGS (`make reproduce JOBS=2` does). With N > 1 each
# worker's training output goes to RUNS_DIR/grid-worker-W.log.
#
# GRID_ARCHIVE=DIR keeps each run's results once its training is over with
# `re4 archive` (config, log, the best epoch's per-user metrics; no resume
# state) and skips a run already archived there, so a grid's results
# can be committed and the grid taken up again on another machine.
# GRID_ARCHIVE_CHECKPOINTS=REGEX (an extended regular expression on the
# folder name) keeps the best checkpoint too for the runs it matches
# (`re4 archive --checkpoint`).
# Usage: [GRID_JOBS=N] [GRID_ARCHIVE=DIR [GRID_ARCHIVE_CHECKPOINTS=REGEX]] scripts/train-grid.sh RE4_BINARY RUNS_DIR EPOCHS PATIENCE GRID_FILE [EXTRA ARGS…]
set -euo pipefail
re4=$1 runs=$2 epochs=$3 patience=$4 grid=$5
shift 5
extra=("$@")
jobs=${GRID_JOBS:-1}
case "$jobs" in ''|*[!0-9]*|0) echo "error: GRID_JOBS must be a whole number ≥ 1 (got '$jobs')" >&2; exit 2 ;; esac
[ -r "$grid" ] || { echo "error: $grid: cannot read the grid file; give a file of 'FOLDER ARGS…' lines" >&2; exit 2; }
mkdir -p "$runs"
archive=${GRID_ARCHIVE:-}
checkpoints=${GRID_ARCHIVE_CHECKPOINTS:-}
[ -z "$archive" ] || mkdir -p "$archive"
# Runs taken by a worker of this invocation (mkdir is atomic: one worker wins).
claims=$(mktemp -d)
trap 'rm -rf "$claims"' EXIT

# One worker: every line of the grid in order, skipping runs another worker holds.
work() {
  local worker=$1 name args dir resume log keep
  while read -r name args; do
    case "$name" in ''|'#'*) continue ;; esac
    dir="$runs/$name"
    args=${args//@RUNS@/$runs}
    keep=""
    if [ -n "$archive" ] && [ -n "$checkpoints" ] && [[ $name =~ $checkpoints ]]; then keep="--checkpoint"; fi
    if [ -n "$archive" ] && [ -f "$archive/$name/config.json" ]; then echo "grid: $name (archived in $archive)"; continue; fi
    mkdir "$claims/$name" 2>/dev/null || continue
    exec 9>"$runs/.$name.lock"
    if ! flock -n 9; then echo "grid: $name (held by another worker)"; continue; fi
    resume=""
    [ -f "$dir/last.optim.safetensors" ] && resume="--resume"
    # The worker's training output: the terminal for one worker, its own log for several.
    if [ "$jobs" -gt 1 ]; then
      log="$runs/grid-worker-$worker.log"
      echo "grid: $name ${resume:-(new)} (worker $worker, log $log)"
      echo "grid: $name ${resume:-(new)}" >> "$log"
      exec 8>>"$log" 7>&8
    else
      log="the output above"
      echo "grid: $name ${resume:-(new)}"
      exec 8>&1 7>&2
    fi
    # shellcheck disable=SC2086
    "$re4" train --epochs "$epochs" --patience "$patience" --out "$dir" $args "${extra[@]}" $resume >&8 2>&7 \
      || { echo "error: $name failed; see $log" >&2; return 1; }
    if [ -n "$archive" ]; then
      "$re4" archive "$dir" --into "$archive" $keep >&8 2>&7 || { echo "error: archiving $name into $archive failed; see $log" >&2; return 1; }
    fi
    exec 8>&- 7>&-
    exec 9>&-
  done < "$grid"
}

if [ "$jobs" -eq 1 ]; then work 1; exit 0; fi
pids=()
for w in $(seq "$jobs"); do work "$w" & pids+=($!); done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
exit $rc
