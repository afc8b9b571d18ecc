#!/usr/bin/env bash
# `cmake --install` of the build tree in $1 into a scratch prefix puts every program, every man page and the
# example units and option files in place.
set -euo pipefail
build=${1:?usage: install_test.sh BUILD_DIR SOURCE_DIR}
source=${2:?usage: install_test.sh BUILD_DIR SOURCE_DIR}
prefix=$(mktemp -d /tmp/mzl-install-test.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
missing=0
expect() {
  if [ ! -s "$prefix/$1" ]; then
    echo "missing after cmake --install: $1" >&2
    missing=1
  fi
}
for tool in "$source"/tools/mzl-*/; do
  name=$(basename "$tool")
  expect "bin/$name"
  expect "share/man/man1/$name.1"
  expect "share/bash-completion/completions/$name"
done
expect share/man/man7/mzl.7
for example in mzl-binlog-tail.service mzl-promote-watch.service mzl-promote-watch.cnf mzl-snapshot.cron \
  mzl-snapshot.service mzl-snapshot.timer mzl-verify.service mzl-verify.timer mzl.cnf; do
  expect "share/doc/mzl/examples/$example"
done
"$prefix/bin/mzl-promote" --help >/dev/null
exit $missing
