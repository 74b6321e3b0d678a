#!/usr/bin/env bash
# cola web, measured (issue 16): the site's size against the model's, the time from page load to
# the first prediction in headless Chromium, and sentences/s in the page (onnxruntime-web,
# WebAssembly, one thread) against `cola predict --threads 1` on the same sentences. Prints a
# markdown table; medians of three, taking turns. A benchmark, run by hand.
#
#   bench/web_bench.sh [MODEL.onnx]    (default: bert-tiny with the real vocabulary, as serve_bench)
#   N=4000 bench/web_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COLA=${COLA:-build/release/app/cola/cola}
SHARED=${COLA_SHARED_DIR:-../shared}
N=${N:-4000}  # sentences per timed run (CoLA's dev set, repeated)
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

model=${1:-}
if [ -z "$model" ]; then
  "$COLA" train model=bert-tiny data.vocab="$SHARED/data/vocab/bert-base-uncased-vocab.txt" \
    training.max_epochs=1 training.limit_train_batches=1 training.num_threads=1 \
    hydra.run.dir="$work/run" >/dev/null 2>&1
  model=$work/model.onnx
  "$COLA" export --checkpoint "$work/run/checkpoints/last" --output "$model" --no-validate >/dev/null
fi
cut -f4 "$SHARED/data/cola/raw/in_domain_dev.tsv" > "$work/dev.txt"

"$COLA" web --model "$model" --output "$work/site" --serve --port 0 > "$work/web.out" 2> "$work/web.err" &
server=$!
for _ in $(seq 100); do
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/web.out")
  [ -n "$port" ] && break
  sleep 0.1
done
# The URL: dev sentences as ?text=, percent-encoded, as many as fit cpp-httplib's 8 KB request
# line, then &bench=N (which cycles through them).
query=$(node -e 'const fs = require("fs");
  const t = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
  let q = "";
  for (const s of t) {
    const p = (q ? "&" : "") + "text=" + encodeURIComponent(s);
    if (q.length + p.length > 7000) break;
    q += p;
  }
  console.log(q);' "$work/dev.txt")
texts=$(grep -o "text=" <<<"$query" | wc -l)
head -n "$texts" "$work/dev.txt" > "$work/shown.txt"
awk -v n="$N" '{ a[NR] = $0 } END { for (i = 0; i < n; ++i) print a[i % NR + 1] }' "$work/shown.txt" \
  > "$work/many.txt"
url="http://127.0.0.1:$port/?$query&bench=$N"

median3() { sort -n | sed -n 2p; }
page_first=()
page_rate=()
predict_rate=()
for _ in 1 2 3; do
  r=$(node bench/web_driver.mjs "$url" 300)
  page_first+=("$(node -e 'console.log(JSON.parse(process.argv[1]).first_prediction_ms)' "$r")")
  page_rate+=("$(node -e 'const r = JSON.parse(process.argv[1]);
    console.log(JSON.parse(r.bench).sentences_per_second.toFixed(0))' "$r")")
  t0=$(date +%s.%N)
  "$COLA" predict --model "$model" --input "$work/many.txt" --threads 1 >/dev/null
  t1=$(date +%s.%N)
  predict_rate+=("$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", n / (b - a) }')")
done
first=$(printf '%s\n' "${page_first[@]}" | median3)
page=$(printf '%s\n' "${page_rate[@]}" | median3)
native=$(printf '%s\n' "${predict_rate[@]}" | median3)
model_bytes=$(stat -c %s "$model")
site_bytes=$(du -sb "$work/site" | cut -f1)

echo "CPU: $(lscpu | sed -n "s/^Model name: *//p"); avx512_vnni: $(grep -q avx512_vnni /proc/cpuinfo && echo yes || echo no); $(chromium --version 2>/dev/null)"
echo
echo "| measure | result | target |"
echo "|---|---|---|"
awk -v m="$model_bytes" -v s="$site_bytes" 'BEGIN { printf "| site size | %.1f MB = the model (%.1f MB) + %.1f MB | <= model + 12 MB |\n", s / 1e6, m / 1e6, (s - m) / 1e6 }'
echo "| page load to first prediction (median of 3: ${page_first[*]} ms) | $first ms | <= 2000 ms |"
echo "| in the page, 1 thread, $N sentences ($texts of CoLA dev, cycled; runs: ${page_rate[*]}) | $page sentences/s | |"
echo "| cola predict --threads 1, same sentences (runs: ${predict_rate[*]}) | $native sentences/s | |"
awk -v p="$page" -v n="$native" 'BEGIN { printf "| page / cola predict | %.2fx | |\n", p / n }'
