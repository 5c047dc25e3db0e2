#!/usr/bin/env bash
# The grids on a real Slurm (issue: grids beyond one machine). Starts munged,
# slurmctld and slurmd as this script's own processes on a one-node localhost
# configuration (proctrack/linuxproc, task/none, no cgroups), then:
#  1. submits a grid of three tiny runs with scripts/slurm-grid.sh and checks that
#     every run finishes with the same checkpoint bytes as scripts/train-grid.sh
#     gives without Slurm (same seeds, same threads);
#  2. kills a task's re4 process mid-epoch (a node failure, as far as the run can
#     tell), requeues it with scontrol, and checks that the resumed run ends with
#     the bytes of an uninterrupted run;
# and stops the daemons it started, by their process ids. When the daemons cannot
# start here it says why and counts the test as skipped, never as passed.
# Usage: scripts/test-slurm.sh RE4_BINARY   (prints "slurm: N passed, N failed[, N skipped]")
set -uo pipefail
re4=$(cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")")
repo=$(cd "$(dirname "$0")/.." && pwd)
skip() { echo "slurm: skipped: $1"; echo "slurm: 0 passed, 0 failed, 1 skipped"; exit 0; }
for t in munged slurmctld slurmd sbatch squeue scontrol; do command -v $t >/dev/null || skip "$t is not installed (apt-get install slurm-wlm munge)"; done
[ "$(id -u)" = 0 ] || skip "the daemons are started as root here (SlurmUser=root); run as root"
# Under /tmp directly: munged refuses a socket path longer than a Unix socket allows or a folder others can write.
T=$(mktemp -d /tmp/re4-slurm.XXXXXX)
chmod 700 "$T"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ "${KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT
host=$(hostname -s)
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/runs" "$T/plain" "$T/log"
chmod 700 "$T/munge"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge/munge.key"
munged --force --socket="$T/munge/munge.socket" --key-file="$T/munge/munge.key" --pid-file="$T/munge/munged.pid" \
  --log-file="$T/munge/munged.log" --seed-file="$T/munge/seed" 2>"$T/log/munged.err" || skip "munged did not start: $(tail -1 "$T/log/munged.err")"
sleep 1
[ -f "$T/munge/munged.pid" ] && pids+=("$(cat "$T/munge/munged.pid")")
port=$((17000 + RANDOM % 1000))
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) - 1024 ))
cat > "$T/slurm.conf" <<CONF
ClusterName=re4test
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$((mem / cpus / 2))
JobRequeue=1
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$T/slurm.conf
slurmctld -D -f "$T/slurm.conf" >"$T/log/slurmctld.out" 2>&1 & pids+=($!)
slurmd -D -f "$T/slurm.conf" >"$T/log/slurmd.out" 2>&1 & pids+=($!)
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed|alloc" && break; sleep 1; done
sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed|alloc" || skip "the node did not come up: $(tail -2 "$T/log/slurmctld.log" "$T/log/slurmd.log" 2>/dev/null | tr '\n' ' ')"
echo "slurm: controller and node up on $host (port $port)"
passed=0 failed=0
check() { if eval "$2"; then echo "slurm: ok: $1"; passed=$((passed + 1)); else echo "slurm: FAILED: $1"; failed=$((failed + 1)); fi; }
wait_for() { # job, seconds: until it is gone from the queue
  for _ in $(seq "$2"); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0; sleep 1; done; return 1; }
common="--data ml-latest-small --negatives 200 --dim 16 --hidden 32"
small="$common --samples-per-epoch 4000"
cat > "$T/grid.txt" <<GRID
tiny-base-s1 $small --seed 1 --base
tiny-re4-s1 $small --seed 1
tiny-sa-s2 $small --seed 2 --encoder comirec-sa --base
GRID
export RE4_DATA=$repo/data/ml-latest-small
start=$(date +%s)
# As a user submits it: make grid SCHEDULER=slurm (-o build: the binary given is used as built).
bin=$(dirname "$re4")
out=$(SLURM_CPUS=1 SLURM_MEM=1G SLURM_TIME=00:10:00 make -s -C "$repo" -o build grid SCHEDULER=slurm RELEASE="$bin" \
        GRID_FILE="$T/grid.txt" RUNS="$T/runs" EPOCHS=2 PATIENCE=5 2>&1)
job=$(echo "$out" | tail -1)
echo "$out" | grep -E "^#SBATCH" | sed 's/^/slurm: script: /'
check "sbatch took the array (job $job)" '[[ "$job" =~ ^[0-9]+$ ]]'
sleep 2
squeue -j "$job" -o "%.10i %.14j %.8T %.10M %R" 2>/dev/null | sed 's/^/slurm: squeue: /'
wait_for "$job" 300
check "the array finished within 300 s ($(( $(date +%s) - start )) s)" '[ -z "$(squeue -h -j "$job")" ]'
scontrol show job "$job" 2>/dev/null | grep -E "JobId|JobState|ExitCode" | head -6 | sed 's/^ */slurm: scontrol: /'
"$re4" status --grid "$T/grid.txt" --runs "$T/runs" | sed 's/^/slurm: status: /'
check "every run finished" '"$re4" status --require-finished "$T/runs/tiny-base-s1" "$T/runs/tiny-re4-s1" "$T/runs/tiny-sa-s2" >/dev/null'
check "re4 status names the Slurm task of each run" '"$re4" status "$T/runs/tiny-re4-s1" | grep -q "Slurm job ${job}_"'
# The same grid without Slurm, one thread per run as the tasks had.
make -s -C "$repo" -o build grid RELEASE="$bin" GRID_FILE="$T/grid.txt" RUNS="$T/plain" EPOCHS=2 PATIENCE=5 GRID_THREADS=1 >"$T/log/plain.out" 2>&1
for r in tiny-base-s1 tiny-re4-s1 tiny-sa-s2; do
  check "$r: the same best checkpoint bytes as without Slurm" 'cmp -s "$T/runs/$r/best.safetensors" "$T/plain/$r/best.safetensors"'
done
out=$(SLURM_CPUS=1 SLURM_MEM=1G SLURM_TIME=00:10:00 bash "$repo/scripts/slurm-grid.sh" "$re4" "$T/runs" 2 5 "$T/grid.txt" 2>&1 | tail -1)
check "a finished grid submits nothing" '[[ "$out" == *"nothing submitted"* ]]'

# Requeue: a longer run killed in its third epoch, requeued, resumed.
cat > "$T/grid2.txt" <<GRID
tiny-requeue $common --seed 5 --samples-per-epoch 300000
GRID
job2=$(SLURM_CPUS=1 SLURM_MEM=1G SLURM_TIME=00:10:00 bash "$repo/scripts/slurm-grid.sh" "$re4" "$T/runs" 4 10 "$T/grid2.txt" 2>/dev/null | tail -1)
for _ in $(seq 1200); do
  n=$(grep -c . "$T/runs/tiny-requeue/log.csv" 2>/dev/null || echo 0)
  [ "$n" -ge 3 ] && break; sleep 0.1
done
sleep 0.5
victim=$(pgrep -f "re4 train .*--out $T/runs/tiny-requeue" | head -1)
check "the task was running its third epoch when killed (pid ${victim:-none})" '[ -n "$victim" ]'
[ -n "$victim" ] && kill -9 "$victim"
sleep 3
scontrol requeue "${job2}_0" 2>/dev/null || scontrol requeue "$job2" 2>/dev/null
# Slurm holds a requeued job back for about two minutes (its begin time is moved on);
# the test lets it start at once.
sleep 1
scontrol update JobId="${job2}_0" StartTime=now 2>/dev/null || true
squeue -j "$job2" -o "%.10i %.14j %.8T %.10M %.6r %R" 2>/dev/null | sed 's/^/slurm: squeue after requeue: /'
wait_for "$job2" 300
bash "$repo/scripts/train-grid.sh" "$re4" "$T/plain" 4 10 "$T/grid2.txt" --threads 1 >"$T/log/plain2.out" 2>&1
check "the requeued task resumed (restarts recorded)" 'grep -q "restarts=[1-9]" "$T/runs/tiny-requeue/slurm-job"'
check "the resumed run has every epoch once" '[ "$(cut -d, -f1 "$T/runs/tiny-requeue/log.csv" | tail -n +2 | tr "\n" " ")" = "1 2 3 4 " ]'
check "the requeued run ends with the bytes of an uninterrupted one" 'cmp -s "$T/runs/tiny-requeue/last.safetensors" "$T/plain/tiny-requeue/last.safetensors"'
echo "slurm: the Slurm tests took $(( $(date +%s) - start )) s"
echo "slurm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
