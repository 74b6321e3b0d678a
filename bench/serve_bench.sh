#!/usr/bin/env bash
# cola serve under load, against `cola predict` on the same sentences with the same threads
# (issue 9's targets). Starts the server, loads it with wrk and hey (scripts/install-deps.sh
# installs both), prints a markdown table. A benchmark, run by hand: the load generator shares the
# machine with the server, so quote ratios from one run.
#
#   bench/serve_bench.sh [MODEL.onnx]     (default: cola export of ../shared/golden/tiny-bert)
#   THREADS=2 DURATION=10 bench/serve_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COLA=${COLA:-build/release/app/cola/cola}
SHARED=${COLA_SHARED_DIR:-../shared}
THREADS=${THREADS:-1}      # ONNX Runtime intra-op threads, for the server and for cola predict
DURATION=${DURATION:-10}   # seconds per timed load
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

model=${1:-}
if [ -z "$model" ]; then
  # bert-tiny (L=2, H=128) with the real BERT vocabulary, trained one batch: the size the
  # README's figures are for. Its weights do not matter to speed.
  "$COLA" train model=bert-tiny data.vocab="$SHARED/data/vocab/bert-base-uncased-vocab.txt" \
    training.max_epochs=1 training.limit_train_batches=1 training.num_threads=1 \
    hydra.run.dir="$work/run" >/dev/null 2>&1
  model=$work/model.onnx
  "$COLA" export --checkpoint "$work/run/checkpoints/last" --output "$model" --no-validate >/dev/null
fi
# CoLA's dev sentences (the fourth column), one a line; 200 times over for cola predict, so that
# its start-up is noise; and as /predict bodies, JSON-escaped, for wrk.
cut -f4 "$SHARED/data/cola/raw/in_domain_dev.tsv" > "$work/dev.txt"
for _ in $(seq 200); do cat "$work/dev.txt"; done > "$work/dev200.txt"
cat > "$work/post.lua" <<'LUA'
-- Each wrk thread reads the sentences (the path after --) and JSON-escapes them itself.
bodies = {}
counter = 0
init = function(args)
  for line in io.lines(args[1]) do
    local s = line:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\t', '\\t')
    bodies[#bodies + 1] = '{"inputs": "' .. s .. '"}'
  end
end
request = function()
  counter = counter + 1
  return wrk.format("POST", "/predict", {["Content-Type"] = "application/json"},
                    bodies[(counter % #bodies) + 1])
end
LUA
echo '{"inputs": "The boy is sitting on a bench."}' > "$work/one.json"

# --- in process: cola predict's throughput (wall time over 105k sentences, batches of 32 sorted,
# the median of three) and its batch-1 latency ---
predict_rate() {
  local t0 t1
  t0=$(date +%s.%N)
  "$COLA" predict --model "$model" --input "$work/dev200.txt" --threads "$THREADS" >/dev/null
  t1=$(date +%s.%N)
  awk -v n="$(wc -l < "$work/dev200.txt")" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", n / (b - a) }'
}
median3() { sort -n | sed -n 2p; }
predict_p50=$("$COLA" predict --model "$model" --input "$work/dev.txt" --threads "$THREADS" \
                --batch-size 1 --bucket 1 --timing 2>&1 >/dev/null |
              sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p' | tail -1)

start_server() {  # flags...: starts cola serve on a free port; sets $server and $url
  "$COLA" serve --model "$model" --port 0 --threads "$THREADS" "$@" \
    > "$work/serve.out" 2> "$work/serve.err" &
  server=$!
  for _ in $(seq 600); do
    port=$(sed -n 's|listening on http://127.0.0.1:\([0-9]*\)|\1|p' "$work/serve.out")
    if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; then break; fi
    sleep 0.1
  done
  url="http://127.0.0.1:$port"
}
stop_server() { kill -TERM "$server"; wait "$server" || true; server=""; }
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$server/status"; }
# wrk's latency line for a percentile, in ms ("50%    1.23ms" / "99%  12.00us").
wrk_ms() { awk -v p="$1%" '$1 == p { v = $2; u = v; gsub(/[0-9.]/, "", u); gsub(/[a-z]/, "", v);
           print (u == "us" ? v / 1000 : (u == "s" ? v * 1000 : v)) }' "$2"; }
hey_ms() { awk -v p="$1%" '$1 == p && $2 == "in" { print $3 * 1000 }' "$2"; }

# The server and cola predict take turns, three times each, on the same cores.
start_server
rates=""
peaks=""
for i in 1 2 3; do
  rates="$rates $(predict_rate)"
  wrk -t1 -c64 -d"${DURATION}s" --latency -s "$work/post.lua" "$url/predict" -- "$work/dev.txt" > "$work/wrk64.$i.txt"
  peaks="$peaks $(awk '/Requests\/sec/ { print $2 }' "$work/wrk64.$i.txt")"
done
predict_rate=$(echo $rates | tr ' ' '\n' | median3)
peak=$(echo $peaks | tr ' ' '\n' | median3)
for i in 1 2 3; do  # the median run's latencies
  if grep -q "Requests/sec: *$peak" "$work/wrk64.$i.txt"; then cp "$work/wrk64.$i.txt" "$work/wrk64.txt"; fi
done
wrk -t1 -c1 -d"${DURATION}s" --latency -s "$work/post.lua" "$url/predict" -- "$work/dev.txt" \
  > "$work/wrk1.txt"
rate=$(awk -v p="$peak" 'BEGIN { printf "%d", p * 0.8 / 64 }')  # per connection, for 80% of peak
hey -z "${DURATION}s" -c 64 -q "$rate" -m POST -T application/json -D "$work/one.json" \
  "$url/predict" > "$work/hey80.txt"
hey -n 10000 -c 64 -m POST -T application/json -D "$work/one.json" "$url/predict" >/dev/null
rss_10k=$(rss_kb)
hey -n 90000 -c 64 -m POST -T application/json -D "$work/one.json" "$url/predict" >/dev/null
rss_100k=$(rss_kb)
batches=$(curl -s "$url/metrics" | awk '/^cola_batch_size_sum/ { s = $2 } /^cola_batch_size_count/ { c = $2 }
          END { printf "%.1f", s / c }')
stop_server

start_server --max-concurrent-requests 64
hey -z "${DURATION}s" -c 1024 -m POST -T application/json -D "$work/one.json" "$url/predict" \
  > "$work/hey1024.txt"
stop_server
statuses=$(awk '/Status code distribution/ { on = 1; next } on && /\[/ { printf "%s%s %s", sep, $1, $2; sep = ", " }
           /Error distribution/ { on = 0 }' "$work/hey1024.txt")
errors=$(awk '/Error distribution/ { on = 1; next } on && NF { n += $1 } END { print n + 0 }' \
         "$work/hey1024.txt")

p50_64=$(wrk_ms 50 "$work/wrk64.txt"); p99_64=$(wrk_ms 99 "$work/wrk64.txt")
p50_1=$(wrk_ms 50 "$work/wrk1.txt")
p50_80=$(hey_ms 50 "$work/hey80.txt"); p99_80=$(hey_ms 99 "$work/hey80.txt")
cat <<TABLE
cola serve, $(basename "$model"), $THREADS ORT thread(s), CoLA dev sentences, ${DURATION}s runs

| measure | result | target |
|---|---|---|
| 64 connections, single sentences (wrk, median of 3) | $peak req/s, p50 $p50_64 ms, p99 $p99_64 ms | |
| cola predict, same sentences and threads (median of 3) | $predict_rate sentences/s (rates:$rates) | |
| server / cola predict | $(awk -v a="$peak" -v b="$predict_rate" 'BEGIN { printf "%.2fx", a / b }') | >= 0.60x |
| 1 connection (wrk): p50 | $p50_1 ms | <= $predict_p50 + 0.3 ms (in-process batch 1: $predict_p50 ms) |
| 80% of peak (hey, $((rate * 64)) req/s): p50, p99 | $p50_80 ms, $p99_80 ms ($(awk -v a="$p99_80" -v b="$p50_80" 'BEGIN { printf "%.1fx", a / b }')) | p99 <= 3x p50 |
| 1024 connections vs max_concurrent_requests 64 (hey) | statuses: $statuses; errors: $errors | only 200 and 429, no errors |
| RSS after 10k / 100k requests | $((rss_10k / 1024)) MB / $((rss_100k / 1024)) MB; mean batch $batches inputs | within 10 MB |
TABLE
