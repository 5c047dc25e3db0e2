#!/usr/bin/env bash
# The cost of `re4 train --log-distinctness` (issue: interest collapse): one full
# ML-1M epoch per encoder with the statistics logged, and the share of the
# epoch's time they took (dist_seconds / seconds, both from the run's own log).
# Usage: bash bench/distinctness_cost.sh [RE4_BINARY] [THREADS]
set -euo pipefail
re4=${1:-.build/release/re4} threads=${2:-2}
"$re4" data fetch ml-1m >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '| encoder | epoch s | statistics s | share |\n|---|---|---|---|\n'
for enc in "re4" "comirec-sa --base" "comirec-dr --base"; do
  name=${enc%% *}
  # shellcheck disable=SC2086
  "$re4" train --data ml-1m --encoder $enc --epochs 1 --threads "$threads" --log-distinctness --out "$tmp/$name" >/dev/null 2>"$tmp/$name.err" \
    || { cat "$tmp/$name.err" >&2; exit 1; }
  python3 - "$tmp/$name/log.jsonl" "$name" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
print(f"| {sys.argv[2]} | {r['seconds']:.1f} | {r['dist_seconds']:.2f} | {100 * r['dist_seconds'] / r['seconds']:.2f} % |")
PY
done
