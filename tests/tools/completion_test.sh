#!/usr/bin/env bash
# The bash completion (scripts/completions/mzl.bash) against the built programs: options, subcommands and
# choices as each program's --help gives them.
set -euo pipefail
tools=${1:?usage: completion_test.sh TOOLS_DIR SOURCE_DIR}
source_dir=${2:?usage: completion_test.sh TOOLS_DIR SOURCE_DIR}
export PATH=$tools:$PATH
# shellcheck source=/dev/null
source "$source_dir/scripts/completions/mzl.bash"
failed=0

# complete WORD... : what the completion offers for the last word.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _mzl
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {
  local want=$1 got
  shift
  got=$(complete_words "$@")
  if [ "$got" != "$want" ]; then
    echo "FAIL: '$*' completes to '$got', expected '$want'" >&2
    failed=1
  fi
}

expect_contains() {
  local want=$1 got
  shift
  got=" $(complete_words "$@") "
  if [[ $got != *" $want "* ]]; then
    echo "FAIL: '$*' completes to '$got', which lacks '$want'" >&2
    failed=1
  fi
}

for program in mzl-binlog-tail mzl-snapshot mzl-verify mzl-pitr-restore mzl-promote; do
  [ "$(complete -p "$program")" = "complete -o default -F _mzl $program" ] || { echo "FAIL: $program has no completion" >&2; failed=1; }
  for option in --defaults-file --json --help --help-all --host --print-defaults; do
    expect_contains "$option" "$program" --
  done
done
expect "--repo" mzl-snapshot --rep
expect "list prune" mzl-snapshot ""
expect "lz4 none zstd" mzl-snapshot --compress ""
expect "zstd" mzl-snapshot --compress z
expect_contains "--keep-daily" mzl-snapshot prune --keep
expect_contains "--dry-run" mzl-snapshot prune --
expect "tables" mzl-verify t
expect_contains "--chunk-rows" mzl-verify tables --
expect_contains "--stop-gtid" mzl-pitr-restore --stop
expect_contains "--auto-failover" mzl-promote --au
expect_contains "--semi-sync" mzl-binlog-tail --semi
# A directory for --repo, nothing offered for a free value.
dir=$(mktemp -d /tmp/mzl-completion.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/repository"
touch "$dir/repofile"
expect "$dir/repository" mzl-verify --repo "$dir/repo"
expect "" mzl-snapshot --threads ""
exit $failed
