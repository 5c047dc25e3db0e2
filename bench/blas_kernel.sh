#!/usr/bin/env bash
# OpenBLAS's kernel choice (docs/performance.md): the same `re4 bench` with
# the kernels OpenBLAS falls back to on a CPU it does not recognise
# (OPENBLAS_CORETYPE=Prescott), and with the kernels re4 restarts itself on
# (none set: BLASKernel picks the strongest the CPU runs). Same run, ratios.
#   bench/blas_kernel.sh [DATA]        (default: ml-1m)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-ml-1m}
STEPS=${STEPS:-20}
THREADS=${THREADS:-2}
make -s build >/dev/null
.build/release/re4 bench --kernel
run() { env "$@" .build/release/re4 bench --data "$DATA" --steps "$STEPS" --threads "$THREADS" --json; }
fallback=$(run OPENBLAS_CORETYPE=Prescott)
chosen=$(run -u OPENBLAS_CORETYPE)
python3 - "$fallback" "$chosen" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("%-18s %14s %14s %7s" % ("", "Prescott", "chosen", "ratio"))
print("%-18s %14.1f %14.1f %6.2fx" % ("sgemm GFLOP/s", a["sgemm_gflops_1024"], b["sgemm_gflops_1024"], b["sgemm_gflops_1024"] / a["sgemm_gflops_1024"]))
for va, vb in zip(a["variants"], b["variants"]):
    print("%-18s %10.0f ex/s %10.0f ex/s %6.2fx" % (va["variant"], va["examples_per_s"], vb["examples_per_s"], vb["examples_per_s"] / va["examples_per_s"]))
PY
