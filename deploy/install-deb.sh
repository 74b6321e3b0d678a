#!/bin/sh
# Installs cola's Debian package and what it needs at run time, on Debian 12 (bookworm). The one
# install step of both deploy/Containerfile and tests/deploy/package_root_test.sh, which runs it in
# a clean debootstrap root: what passes there is what the container gets.
#   install-deb.sh /path/to/cola_<version>_amd64.deb [more Debian packages...]
# POSIX sh: a minbase root and debian:bookworm-slim promise nothing beyond dash.
set -eu
deb=${1:?usage: install-deb.sh /path/to/cola_VERSION_amd64.deb [packages...]}
shift
case $deb in
  /*) ;;
  *) deb=./$deb ;;  # apt-get installs a local file only when the path says it is one
esac
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# ca-certificates is only Recommended (HTTPS to the Hub), and --no-install-recommends skips those.
apt-get install -y -qq --no-install-recommends "$deb" ca-certificates "$@"
cola --version
