#!/usr/bin/env bash
# Installs the Debian 12 packages that cola builds and tests against. Idempotent: packages that are
# already installed are skipped, and `apt-get update` runs at most once, only when something is
# missing. Uses sudo only when not root.
set -euo pipefail

# package -> why it is here. Keep one line per package.
packages=(
  cmake                 # build system
  g++                   # C++20 compiler (GCC 12)
  make                  # the README's two commands
  ccache                # compiler cache: a fresh clone reuses what another build compiled
  libtorch-dev          # model, training and native inference (LibTorch 1.13)
  libopenblas0-openmp   # without it Debian's LibTorch falls back to reference BLAS, ~7x slower
  libgloo-dev           # the headers of Gloo, c10d's CPU backend: multi-process training
  libonnx-dev           # ONNX protobuf types, checker and shape inference for the exporter
  libprotobuf-dev       # protobuf runtime used by ONNX and our TensorBoard event records
  protobuf-compiler     # protoc, for the project's small event.proto
  libyaml-cpp-dev       # Hydra-style YAML configs
  libcli11-dev          # the command-line parser
  nlohmann-json3-dev    # JSON: config.json, safetensors headers, JSONL, metadata
  libspdlog-dev         # logging (behind core/log.h)
  libfmt-dev            # formatting (spdlog's backend and ours)
  libutf8proc-dev       # Unicode normalisation and categories for the WordPiece tokenizer
  libcpp-httplib-dev    # the HTTP server (serve)
  libgtest-dev          # unit tests
  libgmock-dev          # matchers used by the unit tests
  libbenchmark-dev      # Google Benchmark programs in bench/
  zlib1g-dev            # inflate the CoLA zip (data download); PNG images of confusion matrices
  libssl-dev            # sha256 (libcrypto): the CoLA zip's checksum, artifact hashes; HTTPS
  clang-format          # `make format` / format check
  clang                 # make sanitize / make fuzz: ASan, UBSan and libFuzzer builds
  libclang-rt-14-dev    # their runtimes (libclang_rt.fuzzer, asan, ubsan)
  wrk                   # bench/serve_bench.sh: HTTP load with keep-alive connections
  hey                   # bench/serve_bench.sh: rate-limited and overload runs, status counts
  chromium              # report_test renders `cola report`'s HTML headless (skips without it)
  ca-certificates       # npm pack over TLS
  dpkg-dev              # make package: dpkg-shlibdeps computes the .deb's Depends
  debootstrap           # tests/deploy/package_root_test.sh: a clean Debian 12 root for the .deb
  iproute2              # distributed_test: two hosts as two network namespaces (ip netns)
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Debian's npm only when no npm is on PATH: Node.js from elsewhere brings its own, and Debian's
# package would conflict with it.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
