#!/usr/bin/env bash
# Multi-process training (issue 17's table): steps/s of `cola train` on CoLA as 2 ranks x 1 thread
# (c10d/Gloo over 127.0.0.1, training.nproc=2), against 1 process x 2 threads (data_parallel) and
# 1 x 1; then the all-reduce's time and bytes per step, for bert-tiny (sparse and dense word
# embeddings) and for bert-base. The three bert-tiny set-ups take turns, ROUNDS times; medians.
# Steps/s counts training steps only (summary.json's train_seconds), not start-up or validation.
#
#   bench/dist_bench.sh              STEPS=60 ROUNDS=3 BASE_STEPS=4 bench/dist_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COLA=${COLA:-build/release/app/cola/cola}
STEPS=${STEPS:-60}           # bert-tiny steps per run (global batch 64)
ROUNDS=${ROUNDS:-3}
BASE_STEPS=${BASE_STEPS:-4}  # bert-base steps (batch 64), for its all-reduce figures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# `cola train` on CoLA with the real vocabulary, validation off; prints summary.json's path.
train() {
  local name=$1 model=$2 steps=$3
  shift 3
  "$COLA" train model="$model" data=cola training.max_epochs=1 \
    training.limit_train_batches="$steps" training.limit_val_batches=0 \
    hydra.run.dir="$work/$name" "$@" >/dev/null 2>"$work/$name.err" ||
    { cat "$work/$name.err" >&2; exit 1; }
  echo "$work/$name/summary.json"
}
# A JavaScript expression over summary.json's object d (Node.js, which make configure installs).
field() { node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1])); const row = (name, d) => { const t = d.distributed; return `| ${name} | ${(1000 * t.allreduce_seconds_per_step).toFixed(2)} ms | ${(t.allreduce_bytes_per_step / 1e6).toFixed(2)} MB | ${t.sparse_embedding_steps} of ${d.steps} |`; }; console.log(eval(process.argv[2]))' "$@"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A rates
for round in $(seq "$ROUNDS"); do
  s=$(train "one-$round" bert-tiny "$STEPS" training.num_threads=1)
  rates[one]+="$(field "$s" "d['train_steps_per_second']") "
  s=$(train "threads-$round" bert-tiny "$STEPS" training.num_threads=2 training.data_parallel=true)
  rates[threads]+="$(field "$s" "d['train_steps_per_second']") "
  s=$(train "ranks-$round" bert-tiny "$STEPS" training.num_threads=1 training.nproc=2)
  rates[ranks]+="$(field "$s" "d['train_steps_per_second']") "
done
med() { tr ' ' '\n' <<<"${rates[$1]}" | grep . | median; }
one=$(med one) threads=$(med threads) ranks=$(med ranks)

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), avx512_vnni $(grep -q avx512_vnni /proc/cpuinfo && echo yes || echo no), $(nproc) cores"
echo
echo "| bert-tiny, CoLA, global batch 64 | steps/s (median of $ROUNDS) | vs 1 x 1 |"
echo "|---|---|---|"
printf '| 1 process x 1 thread | %.2f | 1.00x |\n' "$one"
printf '| 1 process x 2 threads (data_parallel) | %.2f | %.2fx |\n' "$threads" "$(echo "$threads / $one" | bc -l)"
printf '| 2 ranks x 1 thread (c10d/Gloo, 127.0.0.1) | %.2f | %.2fx |\n' "$ranks" "$(echo "$ranks / $one" | bc -l)"
echo
echo "| model, word-embedding gradient | all-reduce per step | bytes per step (this rank) | steps sent sparse |"
echo "|---|---|---|---|"
for mode in sparse dense; do
  s=$(train "tiny-$mode" bert-tiny "$STEPS" training.num_threads=1 training.nproc=2 \
    training.embedding_allreduce=$mode)
  field "$s" "row('bert-tiny, $mode', d)"
done
s=$(train base bert-base "$BASE_STEPS" training.num_threads=1 training.nproc=2)
field "$s" "row('bert-base, auto', d)"
