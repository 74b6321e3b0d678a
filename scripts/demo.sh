#!/usr/bin/env bash
# The main job behind `make demo`, offline on the embedded sample data:
#   1. train a WordPiece vocabulary on data/sample (cola vocab build)
#   2. tokenize a few sentences with it (cola tokenize)
#   3. print the sample dataset's statistics (cola data stats)
#   4. train bert-tiny on data/sample (cola train), into outputs/demo
#   5. export the best checkpoint to a validated ONNX file (cola export)
#   6. predict with ONNX Runtime and with LibTorch, side by side (cola predict)
#   7. list the run and write its HTML report (cola runs, cola report)
set -euo pipefail
cola=${1:-build/release/app/cola/cola}
out=outputs/demo
mkdir -p "$out"

step() { printf '\n== %s\n' "$*"; }

step "cola --version"
"$cola" --version

step "cola vocab build: a WordPiece vocabulary from the sample training set"
"$cola" vocab build --input data/sample/train.tsv --size 2000 --output "$out/vocab.txt"

step "cola tokenize"
"$cola" tokenize --vocab "$out/vocab.txt" "The boy is sitting on a bench." "Book the was read."

step "cola data stats (data=sample)"
"$cola" data stats data=sample data.vocab="$out/vocab.txt"

step "cola train: bert-tiny on data/sample"
rm -rf "$out/run"  # the demo's own run, replaced each time (cola train never writes into a run)
# From scratch on 8,000 sentences: no dropout, batch 16, lr 3e-4 (data/sample/README.md). Four
# epochs keep the demo under a minute (~75% dev accuracy); 20 epochs with early stopping reach
# 93-96% (tests/e2e/train_cli_test.cc).
"$cola" train model=bert-tiny data=sample data.vocab="$out/vocab.txt" data.batch_size=16 \
  training.lr=3e-4 model.hidden_dropout_prob=0 model.attention_probs_dropout_prob=0 \
  model.classifier_dropout=0 training.max_epochs=4 hydra.run.dir="$out/run"

best="$out/run/checkpoints/best"
step "cola export: the best checkpoint to ONNX, validated against LibTorch"
"$cola" export --checkpoint "$best" --output "$out/model.onnx"

step "cola predict: ONNX Runtime (tokenizer and labels from the file), then LibTorch"
"$cola" predict --model "$out/model.onnx" --timing "The boy is sitting on a bench." \
  "Book the was read."
"$cola" predict --model "$best" "The boy is sitting on a bench." "Book the was read."
"$cola" predict --model "$out/model.onnx" --compare "$best" --input data/sample/dev.tsv >/dev/null

step "cola runs / cola report"
"$cola" runs "$out"
"$cola" report "$out/run"
