#!/usr/bin/env bash
# Every program's (and subcommand's) --help fits one screen (at most 40 lines of at most 100 columns), names its
# options and points to --help-all and the man page; --help-all lists every option with its meaning; every
# program has --json; a man page exists for every program.
set -euo pipefail
tools=${1:?usage: help_test.sh TOOLS_DIR SOURCE_DIR}
source_dir=${2:?usage: help_test.sh TOOLS_DIR SOURCE_DIR}
failed=0
fail() {
  echo "FAIL: $*" >&2
  failed=1
}

check_summary() {
  local program=$1 help lines width
  shift
  help=$("$tools/$program" "$@" --help) || fail "$program $* --help exited $?"
  lines=$(wc -l <<<"$help")
  width=$(awk '{ if (length > m) m = length } END { print m + 0 }' <<<"$help")
  [ "$lines" -le 40 ] || fail "$program $* --help is $lines lines (one screen: at most 40)"
  [ "$width" -le 100 ] || fail "$program $* --help is $width columns wide (at most 100)"
  grep -q "man $program\." <<<"$help" || fail "$program $* --help does not point to its man page"
  grep -q -- "--help-all" <<<"$help" || fail "$program $* --help does not point to --help-all"
  grep -q -- " --json" <<<"$help" || fail "$program $* --help does not list --json"
}

for program in mzl-binlog-tail mzl-snapshot mzl-verify mzl-pitr-restore mzl-promote; do
  [ -s "$source_dir/man/$program.1" ] || fail "no man page man/$program.1"
  check_summary "$program"
  all=$("$tools/$program" --help-all) || fail "$program --help-all exited $?"
  # Every option the summary names is explained in --help-all.
  for option in $("$tools/$program" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    grep -q "^ *\(-[A-Za-z], *\)\{0,1\}$option\b" <<<"$all" || fail "$program --help-all does not explain $option"
  done
done
check_summary mzl-snapshot list
check_summary mzl-snapshot prune
check_summary mzl-verify tables
# A usage error points to --help and exits 2.
status=0
err=$("$tools/mzl-verify" --no-such-flag 2>&1) || status=$?
[ "$status" = 2 ] || fail "an unknown flag exits $status, expected 2"
grep -q "Try 'mzl-verify --help'" <<<"$err" || fail "a usage error does not point to --help: $err"
exit $failed
