#!/usr/bin/env bash
# Training throughput, re4 (Swift) vs the PyTorch CPU reference, same data,
# batch, shapes, negatives and thread count, in one run. Prints ratios.
#   bench/train_throughput.sh [DATA...]        (default: ml-latest-small ml-1m)
# Needs: bench/setup-venv.sh once; for ml-1m: re4 data fetch ml-1m.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
STEPS=${STEPS:-30}
bash bench/setup-venv.sh
make -s build >/dev/null
datasets=("$@"); [ ${#datasets[@]} -gt 0 ] || datasets=(ml-latest-small ml-1m)
printf "%-16s %-5s %12s %12s %7s\n" data model "re4 ex/s" "torch ex/s" ratio
for data in "${datasets[@]}"; do
  swift_json=$(.build/release/re4 bench --data "$data" --steps "$STEPS" --threads "$THREADS" --json)
  for variant in base re4; do
    flag=""; [ "$variant" = base ] && flag=--base
    torch_eps=$(.venv-bench/bin/python bench/pytorch_re4.py --data "$data" --threads "$THREADS" --batches "$STEPS" $flag 2>/dev/null \
      | python3 -c "import json,sys; print(json.loads(sys.stdin.read())['examples_per_s'])")
    name=$([ "$variant" = base ] && echo "base" || echo "re4 (all flows)")
    swift_eps=$(echo "$swift_json" | python3 -c "import json,sys; d=json.load(sys.stdin); print([v['examples_per_s'] for v in d['variants'] if v['variant']=='$name'][0])")
    python3 -c "print('%-16s %-5s %12.0f %12.0f %6.2fx' % ('$data', '$variant', $swift_eps, $torch_eps, $swift_eps / $torch_eps))"
  done
  echo "$swift_json" | python3 -c "import json,sys; d=json.load(sys.stdin); print('  sgemm %.0f GFLOP/s (1024^3); per-step: %s' % (d['sgemm_gflops_1024'], ', '.join('%s %.1f ms' % (v['variant'], 1000*v['seconds_per_step']) for v in d['variants'])))"
done
