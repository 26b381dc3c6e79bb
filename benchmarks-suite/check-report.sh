#!/usr/bin/env sh
# Renders a run's report.html in headless Chromium (Debian package `chromium`) and saves a
# full-page screenshot next to it, then checks that every embedded image decoded.
#   benchmarks-suite/check-report.sh runs/quick
set -e
run=${1:?usage: check-report.sh RUN_DIR}
page="$(cd "$run" && pwd)/report.html"
[ -f "$page" ] || { echo "no report.html in $run" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium is not installed: apt-get install -y chromium" >&2; exit 2; }
profile=$(mktemp -d)
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir=$profile"
# shellcheck disable=SC2086
"$browser" $flags --window-size=1200,3000 --screenshot="$run/report-screenshot.png" "file://$page" 2>/dev/null
# Count the images that decoded (naturalWidth > 0), from a copy of the page with a probe script.
probe="$profile/probe.html"
sed 's|</body>|<script>window.onload=function(){document.body.setAttribute("data-decoded",Array.from(document.images).filter(function(i){return i.complete\&\&i.naturalWidth>0}).length)}</script></body>|' "$page" > "$probe"
# shellcheck disable=SC2086
decoded=$("$browser" $flags --virtual-time-budget=10000 --dump-dom "file://$probe" 2>/dev/null \
  | grep -o 'data-decoded="[0-9]*"' | grep -o '[0-9]*' || echo 0)
rm -rf "$profile"
images=$(grep -o '<img ' "$page" | wc -l)
echo "report.html: $decoded of $images images decoded; screenshot: $run/report-screenshot.png"
test -s "$run/report-screenshot.png" && [ "$decoded" -eq "$images" ] && [ "$images" -gt 0 ]
