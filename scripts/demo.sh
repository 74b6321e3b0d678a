#!/usr/bin/env bash
# The main job behind `make demo`: runs every stage that exists so far on the embedded sample data.
set -euo pipefail
cola=${1:-build/release/app/cola/cola}

echo "== cola --version"
"$cola" --version
echo
echo "== resolved configuration (cola config)"
"$cola" config
