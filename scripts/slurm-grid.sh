#!/usr/bin/env bash
# Submits a grid to Slurm as one job array: one task per run of the grid file
# that is not finished yet (in RUNS_DIR, or archived in GRID_ARCHIVE). Each task
# runs `re4 train` into its run folder, with --resume when the folder holds a
# resumable run, so a preempted or requeued task continues from its last whole
# epoch; the run folder's lock and checks keep two tasks off one run
# (docs/cluster.md). Slurm does the queueing, placement, requeue and accounting.
#
# Usage: [SLURM_* variables] scripts/slurm-grid.sh RE4_BINARY RUNS_DIR EPOCHS PATIENCE GRID_FILE [EXTRA re4 train ARGS…]
#   SLURM_CPUS      cpus per task, given to re4 train --threads (default 2)
#   SLURM_MEM       memory per task (default 3G: an ML-1M run peaks near 120 MB resident, the
#                   Amazon-Books-shaped benchmark at 1.3 GB, bench/README.md; docs/cluster.md)
#   SLURM_TIME      time limit per task (default 12:00:00)
#   SLURM_PARTITION, SLURM_ACCOUNT, SLURM_EXTRA   sbatch's --partition, --account, and any other flags
#   SLURM_WAIT=1    wait for the array to end (sbatch --wait), for scripts and tests
#   GRID_ARCHIVE, GRID_ARCHIVE_CHECKPOINTS        as for scripts/train-grid.sh: keep each finished run
# RUNS_DIR, the binary and the data cache ($RE4_CACHE) must be on a file system every node sees.
# The batch script and the run list are written to RUNS_DIR/slurm/ and kept; the script is printed.
set -euo pipefail
re4=$1 runs=$2 epochs=$3 patience=$4 grid=$5
shift 5
# --threads comes from SLURM_CPUS (the task's cores); one given among the extra arguments is dropped.
extra=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--threads" ]; then shift 2; continue; fi
  extra+=("$1"); shift
done
[ -r "$grid" ] || { echo "error: $grid: cannot read the grid file; give a file of 'FOLDER ARGS…' lines" >&2; exit 2; }
command -v sbatch >/dev/null || { echo "error: sbatch is not on PATH; run this on a Slurm login node (docs/cluster.md)" >&2; exit 2; }
abs() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
mkdir -p "$runs/slurm"
re4=$(abs "$re4"); runs=$(abs "$runs")
archive=${GRID_ARCHIVE:-}
[ -z "$archive" ] || { mkdir -p "$archive"; archive=$(abs "$archive"); }
checkpoints=${GRID_ARCHIVE_CHECKPOINTS:-}
cpus=${SLURM_CPUS:-2} mem=${SLURM_MEM:-3G} limit=${SLURM_TIME:-12:00:00}
case "$cpus" in ''|*[!0-9]*|0) echo "error: SLURM_CPUS must be a whole number ≥ 1 (got '$cpus')" >&2; exit 2 ;; esac
base=$(basename "$grid" .txt)
list="$runs/slurm/$base.runs"
: > "$list.tmp"
pending=0
while read -r name args; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ -n "$archive" ] && [ -f "$archive/$name/config.json" ]; then echo "grid: $name (archived in $archive)"; continue; fi
  if [ -d "$runs/$name" ] && "$re4" status --require-finished "$runs/$name" >/dev/null 2>&1; then echo "grid: $name (finished)"; continue; fi
  keep="-"   # a placeholder: read collapses two tabs into one
  if [ -n "$archive" ] && [ -n "$checkpoints" ] && [[ $name =~ $checkpoints ]]; then keep="--checkpoint"; fi
  printf '%s\t%s\t%s\n' "$name" "$keep" "${args//@RUNS@/$runs}" >> "$list.tmp"
  pending=$((pending + 1))
done < "$grid"
mv "$list.tmp" "$list"
if [ "$pending" -eq 0 ]; then echo "grid: every run of $grid is finished; nothing submitted"; exit 0; fi
script="$runs/slurm/$base.sbatch"
{
  echo "#!/usr/bin/env bash"
  echo "# Written by scripts/slurm-grid.sh for $grid: one array task per line of $list."
  echo "#SBATCH --job-name=re4-$base"
  echo "#SBATCH --array=0-$((pending - 1))"
  echo "#SBATCH --cpus-per-task=$cpus"
  echo "#SBATCH --mem=$mem"
  echo "#SBATCH --time=$limit"
  echo "#SBATCH --requeue"
  echo "#SBATCH --open-mode=append"
  echo "#SBATCH --output=$runs/slurm/%x-%A_%a.out"
  [ -z "${SLURM_PARTITION:-}" ] || echo "#SBATCH --partition=$SLURM_PARTITION"
  [ -z "${SLURM_ACCOUNT:-}" ] || echo "#SBATCH --account=$SLURM_ACCOUNT"
  cat <<BODY
set -euo pipefail
IFS=\$'\\t' read -r name keep args < <(sed -n "\$((SLURM_ARRAY_TASK_ID + 1))p" "$list")
dir="$runs/\$name"
mkdir -p "\$dir"
# Which Slurm job owns the run, for re4 status (read from the folder, not by asking Slurm).
echo "\$SLURM_ARRAY_JOB_ID \$SLURM_ARRAY_TASK_ID \$SLURM_JOB_ID \$(hostname) restarts=\${SLURM_RESTART_COUNT:-0}" > "\$dir/slurm-job"
resume=""
[ -f "\$dir/last.optim.safetensors" ] && resume="--resume"
echo "grid: \$name \${resume:-(new)} on \$(hostname), task \$SLURM_ARRAY_TASK_ID, restart \${SLURM_RESTART_COUNT:-0}"
# shellcheck disable=SC2086
"$re4" train --epochs $epochs --patience $patience --out "\$dir" \$args ${extra[*]:-} --threads $cpus \$resume
BODY
  [ -z "$archive" ] || echo "if [ \"\$keep\" = - ]; then keep=\"\"; fi; \"$re4\" archive \"\$dir\" --into \"$archive\" \$keep"
} > "$script"
echo "--- $script"
cat "$script"
echo "---"
flags=()
# shellcheck disable=SC2206
[ -z "${SLURM_EXTRA:-}" ] || flags+=($SLURM_EXTRA)
[ "${SLURM_WAIT:-0}" = 1 ] && flags+=(--wait)
sbatch --parsable "${flags[@]}" "$script"
