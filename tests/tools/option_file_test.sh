#!/usr/bin/env bash
# The sample option file (scripts/mzl.cnf) holds only options each program takes: every program reads it with
# --print-defaults, exits 0 and prints its groups' options, the password masked. A key a program does not know
# is refused with exit 2, naming the file and line.
set -euo pipefail
tools=${1:?usage: option_file_test.sh TOOLS_DIR SOURCE_DIR}
source_dir=${2:?usage: option_file_test.sh TOOLS_DIR SOURCE_DIR}
sample=$source_dir/scripts/mzl.cnf
failed=0
fail() {
  echo "FAIL: $*" >&2
  failed=1
}

for program in mzl-binlog-tail mzl-snapshot mzl-verify mzl-pitr-restore mzl-promote; do
  status=0
  out=$("$tools/$program" --defaults-file "$sample" --print-defaults 2>&1) || status=$?
  [ "$status" = 0 ] || fail "$program --print-defaults with $sample exited $status: $out"
  grep -qx -- "--repo=/var/backups/mzl" <<<"$out" || fail "$program: [mzl] repo not printed: $out"
  grep -qx -- "--password=\*\*\*\*\*" <<<"$out" || fail "$program: the password is not masked: $out"
  if grep -q "change-me" <<<"$out"; then fail "$program printed the password"; fi
  # Every key of the program's own group is printed.
  while read -r key; do
    grep -q -- "^--$key\(=\|$\)" <<<"$out" || fail "$program: [$program] $key not printed: $out"
  done < <(sed -n "/^\[$program\]/,/^\[/{/^[a-z]/s/=.*//p}" "$sample")
done

dir=$(mktemp -d /tmp/mzl-option-file.XXXXXX)
trap 'rm -rf "$dir"' EXIT
printf '[client]\nuser=mzl\n\n[mzl-snapshot]\nthreads=2\nthread=4\n' >"$dir/bad.cnf"
status=0
out=$("$tools/mzl-snapshot" --defaults-file "$dir/bad.cnf" --print-defaults 2>&1) || status=$?
[ "$status" = 2 ] || fail "an unknown key: exit $status, expected 2: $out"
grep -q "unknown option 'thread' for mzl-snapshot" <<<"$out" || fail "an unknown key is not named: $out"
grep -q "$dir/bad.cnf:6" <<<"$out" || fail "an unknown key's file and line are not named: $out"
# loose- keys are ignored, as the server's clients do.
printf '[mzl-snapshot]\nloose-thread=4\n' >"$dir/loose.cnf"
"$tools/mzl-snapshot" --defaults-file "$dir/loose.cnf" --print-defaults >/dev/null 2>&1 || fail "a loose- key is refused"
exit $failed
