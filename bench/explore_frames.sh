#!/usr/bin/env bash
# The explorer's page in headless Chromium: page size, load time, and the
# frame times its self-test measures: a scripted gesture (20 wheel steps, a
# 40-step drag; median and 95th percentile of the 60 frames, drawn at the level
# of detail above 120,000 items: the last full picture moved and scaled, strips it
# leaves uncovered drawn), the frame that ends it (every item), a full
# redraw of every map, an overlay redraw (what hovering costs), one hover hit
# test and one title search (medians of 5 where repeated).
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
      f"overlay frame {r['overlayFrameMs']:.1f} ms; hover hit test {r['hoverMs']:.1f} ms; search {r['searchMs']:.1f} ms")
print(f"gesture: {r['gestureFrames']} frames, median {r['gestureMedianMs']:.1f} ms, p95 {r['gestureP95Ms']:.1f} ms "
      f"(level of detail {'on' if r['lodDuringGesture'] else 'off'}: {r['drawnDuringGesture']} items drawn); the frame ending it {r['gestureEndMs']:.1f} ms")
if "panStripFrameMs" in r:
    print(f"cached picture moved: slowest drag frame uncovering strips {r['panStripFrameMs']:.1f} ms ({r['panStripItems']} items drawn in them); "
          f"slowest zoom-out frame {r['zoomOutFrameMs']:.1f} ms ({r['zoomOutStripItems']} sampled items); moved picture vs full redraw: {r['panSnapshotDiff']} bytes differ")
PY
