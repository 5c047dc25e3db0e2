#!/usr/bin/env bash
# Data loading against pandas, in the same run (issue: scale and speed).
# For each file: `re4 data stats FILE` (read, stable time sort per user,
# renumber, split, statistics) against pandas read_csv + stable sort by
# (user, time) + group by user, each as a whole process, best of 3 wall
# times and the peak RSS (/usr/bin/time). Reports re4/pandas ratios.
#   bash bench/data_loading.sh            # ML-1M (RecBole .inter), the 8.9 M-row Amazon-shaped CSV and its rows shuffled
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build >/dev/null
PY=.venv-bench/bin/python
ML=${ML:-$HOME/.cache/re4/ml-1m/ml-1m.inter}
[ -f "$ML" ] || .build/release/re4 data fetch ml-1m >/dev/null
GEN_ONLY=1 bash bench/amazon_shaped.sh
AMZ=${OUT:-/tmp/amazon-shaped}/interactions.csv
# The same rows in a seeded random order: a log not grouped by user, which the
# build must regroup (docs/performance.md § Data loading: memory).
SHUF=${OUT:-/tmp/amazon-shaped}/shuffled.csv
[ -f "$SHUF" ] || "$PY" -c "
import numpy as np, sys
lines = open(sys.argv[1], 'rb').read().split(b'\\n')
head, rows = lines[0], [l for l in lines[1:] if l]
order = np.random.default_rng(5).permutation(len(rows))
open(sys.argv[2], 'wb').write(b'\\n'.join([head] + [rows[i] for i in order]) + b'\\n')" "$AMZ" "$SHUF"

best() {  # best wall time (s) and its peak RSS (KB) of 3 runs of "$@"
  local bt=999999 bm=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o /tmp/dl.time "$@" >/dev/null 2>/tmp/dl.err || { cat /tmp/dl.err; exit 1; }
    read -r t m < /tmp/dl.time
    if awk "BEGIN{exit !($t < $bt)}"; then bt=$t; bm=$m; fi
  done
  echo "$bt $bm"
}

printf '| file | rows | size | re4 s | pandas s | time ratio | re4 peak MB | pandas peak MB | re4 peak / file size |\n|---|---|---|---|---|---|---|---|---|\n'
for f in "$ML" "$AMZ" "$SHUF"; do
  case "$f" in
    *.inter) sep='\t'; cols="user_id:token,item_id:token,timestamp:float"; u="user_id:token"; t="timestamp:float" ;;
    *) sep=','; cols="user,item,timestamp"; u="user"; t="timestamp" ;;
  esac
  read -r rt rm < <(best .build/release/re4 data stats "$f")
  read -r pt pm < <(best "$PY" -c "
import pandas as pd, sys
df = pd.read_csv(sys.argv[1], sep='$sep', usecols='$cols'.split(','))
df = df.sort_values(['$u', '$t'], kind='stable')
g = df.groupby('$u', sort=False)
print(len(g), g.size().max())" "$f")
  rows=$(($(wc -l < "$f") - 1)); size=$(stat -c %s "$f")
  awk -v f="$(basename "$f")" -v rows="$rows" -v size="$size" -v rt="$rt" -v pt="$pt" -v rm="$rm" -v pm="$pm" 'BEGIN{
    printf "| %s | %d | %.0f MB | %.2f | %.2f | %.2f× | %.0f | %.0f | %.2f× |\n", f, rows, size/1e6, rt, pt, rt/pt, rm/1024, pm/1024, rm*1024/size }'
done
