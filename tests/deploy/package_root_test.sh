#!/usr/bin/env bash
# The Debian package in a clean Debian 12 root: proves that its Depends names everything cola needs
# at run time (cmake/Packaging.cmake). Label slow; .ci/run runs it.
#   1. cpack writes cola_<version>_amd64.deb from the build tree;
#   2. a `debootstrap --variant=minbase bookworm` root, from the machine's own apt sources, is made
#      once and kept in ${COLA_CACHE_DIR:-~/.cache/cola} (later runs only copy it);
#   3. deploy/install-deb.sh installs the .deb there with apt-get, as deploy/Containerfile does;
#   4. inside the root (chroot): cola export, cola predict, cola web, and cola serve with one
#      request, compared with the build tree's own: the same ONNX bytes and the same scores.
# Usage: package_root_test.sh <build dir> <source dir>. Exit 77 (skip) without root or debootstrap.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
host_cola="$build/app/cola/cola"
cache=${COLA_CACHE_DIR:-$HOME/.cache/cola}
shared=${COLA_SHARED_DIR:-$src/../shared}
golden="$shared/golden/tiny-bert"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "debootstrap and chroot need root"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (scripts/install-deps.sh installs it)"
if [ ! -f "$golden/config.json" ]; then
  [ "${COLA_REQUIRE_SHARED:-0}" = 1 ] && fail "$golden: missing (COLA_REQUIRE_SHARED=1)"
  skip "$golden: missing (set COLA_SHARED_DIR)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cola-package-root.XXXXXX")
root="$work/root"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  # Unmount before removing, and never cross into a file system still mounted: the root must not
  # take the machine's files with it.
  for m in "$root/var/cache/apt/archives" "$root/proc"; do
    mountpoint -q "$m" 2>/dev/null && umount -l "$m"
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# The machine's first Debian mirror for bookworm, from deb822 .sources or a sources.list line.
debian_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ && u {print u; exit}' "$f"
  done | head -n1 | grep . && return
  grep -hE '^deb +(\[[^]]*\] +)?[a-z]+://[^ ]+ +bookworm( |$)' /etc/apt/sources.list \
    /etc/apt/sources.list.d/*.list 2>/dev/null | sed -E 's/^deb +(\[[^]]*\] +)?//' |
    awk '{print $1; exit}' | grep .
}

# 1. The package, from the build tree (cpack writes nothing into the tree but _CPack_Packages).
cpack --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/pkg/cola_*_amd64.deb)
echo "package: $(basename "$deb"), $(du -h "$deb" | cut -f1)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
case ", $depends," in *-dev[,\ ]*) fail "Depends names a -dev package: $depends" ;; esac

# 2. The clean root, made once (under a lock: two runs must not build it at once).
base="$cache/debian12-minbase"
mkdir -p "$cache"
(
  flock 9
  if [ ! -f "$base/.complete" ]; then
    mirror=$(debian_mirror) || fail "no bookworm mirror in /etc/apt/sources.list{,.d}"
    echo "debootstrap --variant=minbase bookworm from $mirror (once, into $base)"
    rm -rf --one-file-system "$base.tmp"
    debootstrap --variant=minbase bookworm "$base.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
      { tail -20 "$cache/debootstrap.log"; fail "debootstrap failed (log: $cache/debootstrap.log)"; }
    rm -rf "$base.tmp/var/cache/apt/archives/"*.deb
    touch "$base.tmp/.complete"
    rm -rf --one-file-system "$base"
    mv "$base.tmp" "$base"
  fi
) 9>"$cache/debian12-minbase.lock"
cp -a "$base" "$root"

# The machine's own apt sources and resolver. Packages apt fetches are kept beside the root, and
# seeded by hard links from the machine's own cache, so later runs download nothing.
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] && grep -qE 'debian' "$f" && cp "$f" "$root$f"
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
archives="$cache/debian12-apt-archives"
mkdir -p "$archives/partial"
cp -ln /var/cache/apt/archives/*.deb "$archives/" 2>/dev/null || true
mount --bind "$archives" "$root/var/cache/apt/archives"
mount -t proc proc "$root/proc"

# 3. The install step of the container, in the clean root.
mkdir -p "$root/work"
cp "$deb" "$src/deploy/install-deb.sh" "$root/work/"
cp -r "$golden" "$root/work/tiny-bert"
chroot "$root" sh /work/install-deb.sh "/work/$(basename "$deb")" >"$work/install.log" 2>&1 ||
  { tail -30 "$work/install.log"; fail "install-deb.sh failed in the clean root"; }
grep -E '^cola ' "$work/install.log"

# 4. The same commands in the root and in the build tree.
sentence="The boy is sitting on a bench."
chroot "$root" cola export --checkpoint /work/tiny-bert --output /work/model.onnx >"$work/export.log" 2>&1 ||
  { cat "$work/export.log"; fail "cola export failed in the clean root"; }
(cd "$work" && "$host_cola" export --checkpoint "$golden" --output "$work/host.onnx" >/dev/null 2>&1) ||
  fail "cola export failed in the build tree"
cmp -s "$root/work/model.onnx" "$work/host.onnx" ||
  fail "the package's cola export wrote other bytes than the build tree's"
echo "export: the same ONNX file ($(sha256sum <"$work/host.onnx" | cut -c1-16)...)"

in_root=$(chroot "$root" cola predict --model /work/model.onnx "$sentence") ||
  fail "cola predict failed in the clean root"
in_tree=$("$host_cola" predict --model "$work/host.onnx" "$sentence")
[ "$in_root" = "$in_tree" ] || fail "predict differs: root $in_root, build tree $in_tree"
echo "predict: $in_root"

# cola web finds onnxruntime-web's files in the package (share/cola/onnxruntime-web).
chroot "$root" cola web --model /work/model.onnx --output /work/site >"$work/web.log" 2>&1 ||
  { cat "$work/web.log"; fail "cola web failed in the clean root"; }
for f in index.html ort.wasm.min.mjs ort-wasm-simd-threaded.wasm.gz; do
  [ -s "$root/work/site/$f" ] || fail "cola web wrote no $f in the clean root"
done
echo "web: $(head -n1 "$work/web.log")"

# serve on a free port (the root shares the machine's network), one request, then SIGTERM's drain.
chroot "$root" cola serve --model /work/model.onnx --port 0 >"$work/serve.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -nE 's|^listening on http://[^:]+:([0-9]+)$|\1|p' "$work/serve.log")
  [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; fail "cola serve exited"; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/serve.log"; fail "cola serve printed no port"; }
served=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"inputs\": \"$sentence\"}" "http://127.0.0.1:$port/predict") || fail "POST /predict failed"
# /predict answers TEI's [{"label","score"}...] by score, predict by label: compare the pairs.
pairs() { grep -oE '"label": ?"[^"]+", ?"score": ?[^,}]+' | tr -d ' ' | sort; }
[ "$(printf '%s' "$served" | pairs)" = "$(printf '%s' "$in_tree" | pairs)" ] ||
  fail "serve differs: root $served, build tree $in_tree"
echo "serve: $served"
kill -TERM "$server_pid"
wait "$server_pid" || fail "cola serve did not exit 0 after SIGTERM"
server_pid=""
echo "PASS: the package installs in a clean Debian 12 root and gives the build tree's results"
