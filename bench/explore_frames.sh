#!/usr/bin/env bash
# The explorer's page in headless Chromium: page size, load time, and the
# frame times its self-test measures (median of 5): a full redraw of every map
# (every item), an overlay redraw (what hovering costs), and one hover hit test.
# Usage: bash bench/explore_frames.sh PAGE.html [ITEM]
set -euo pipefail
page=$(readlink -f "$1"); item=${2:-1}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
dom=$(timeout 300 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --disable-background-networking \
  --disable-component-update --no-first-run --user-data-dir="$profile" --window-size=1400,860 \
  --virtual-time-budget=60000 --dump-dom "file://$page#selftest&item=$item" 2>/dev/null)
json=$(sed -n 's/.*<pre id="selftest-result">\(.*\)<\/pre>.*/\1/p' <<<"$dom" | sed 's/&quot;/"/g')
python3 - "$page" "$json" <<'PY'
import json, os, sys
page, r = sys.argv[1], json.loads(sys.argv[2])
print(f"page {os.path.basename(page)}: {os.path.getsize(page)/2**20:.1f} MiB, items per map {r['items']}, drawn {r['drawn']}")
print(f"load {r['loadMs']:.0f} ms from navigation to the first drawn frame (script {r['scriptMs']:.0f} ms); full frame {r['fullFrameMs']:.1f} ms; "
      f"overlay frame {r['overlayFrameMs']:.1f} ms; hover hit test {r['hoverMs']:.1f} ms")
PY
