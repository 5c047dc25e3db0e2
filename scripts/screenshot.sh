#!/usr/bin/env bash
# A screenshot of an explorer page in headless Chromium, 1400 × 860.
# Usage: scripts/screenshot.sh PAGE.html FRAGMENT OUT.png   (FRAGMENT e.g. "user=42")
set -euo pipefail
page=$(readlink -f "$1"); fragment=$2; out=$3
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
tmp="$out.partial.png"
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --disable-background-networking \
  --disable-component-update --no-first-run --user-data-dir="$profile" --window-size=1400,860 \
  --virtual-time-budget=10000 --screenshot="$tmp" "file://$page#$fragment" 2>/dev/null
mv "$tmp" "$out"
echo "wrote $out"
