#!/usr/bin/env bash
# A plain `swift build -c release` (what a Swift user types: baseline x86-64,
# no -target-cpu) against `make build` (-target-cpu native), in the same run:
# the 10k-point t-SNE (user CPU seconds, 1 thread) and the training step
# (`re4 bench`, Base and Re4 on ML-1M, 1 thread), alternated, best of 3; and a
# check that both binaries write the same t-SNE bytes.
#   bash bench/portable_build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build >/dev/null
swift build -c release --scratch-path .build-portable >/dev/null
PY=.venv-bench/bin/python
X=/tmp/portable-x10k.npy
[ -f $X ] || $PY -c "
import numpy as np
rng = np.random.default_rng(0)
c = rng.normal(size=(20, 50)) * 3
np.save('$X', (c[rng.integers(0, 20, 10000)] + rng.normal(size=(10000, 50))).astype(np.float32))"
best_tsne() { local b=999999; for _ in 1 2 3; do /usr/bin/time -f %U -o /tmp/pb.t "$1/re4-viz" embed $X --out "$2" --threads 1 >/dev/null 2>&1; t=$(cat /tmp/pb.t); awk "BEGIN{exit !($t < $b)}" && b=$t; done; echo $b; }
best_step() { local b=999999; for _ in 1 2 3; do s=$("$1/re4" bench --data ml-1m --threads 1 $2 2>&1 | grep -o '[0-9.]* ms/step' | tail -1 | cut -d' ' -f1); awk "BEGIN{exit !($s < $b)}" && b=$s; done; echo $b; }
tn=$(best_tsne .build/release /tmp/pb-native.npy); tp=$(best_tsne .build-portable/release /tmp/pb-portable.npy)
same=$(cmp -s /tmp/pb-native.npy /tmp/pb-portable.npy && echo yes || echo NO)
bn=$(best_step .build/release --base); bp=$(best_step .build-portable/release --base)
rn=$(best_step .build/release ""); rp=$(best_step .build-portable/release "")
printf '| work | native | plain release | plain / native |\n|---|---|---|---|\n'
awk -v a="$tn" -v b="$tp" 'BEGIN{printf "| t-SNE 10k × 50, 1 thread (CPU s) | %.2f | %.2f | %.2f× |\n", a, b, b/a}'
awk -v a="$bn" -v b="$bp" 'BEGIN{printf "| training step, Base, ML-1M (ms) | %.1f | %.1f | %.2f× |\n", a, b, b/a}'
awk -v a="$rn" -v b="$rp" 'BEGIN{printf "| training step, Re4, ML-1M (ms) | %.1f | %.1f | %.2f× |\n", a, b, b/a}'
echo "same t-SNE bytes from both binaries: $same"
