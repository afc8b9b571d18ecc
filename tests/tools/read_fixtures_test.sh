#!/usr/bin/env bash
# mzl-binlog-tail --read over every real fixture (no server): --output raw must reproduce each file byte for
# byte and --output json must decode every event, except for the files the fixtures' READMEs document as broken,
# which must fail with exit code 1 and a message naming the file and offset.
# usage: read_fixtures_test.sh TOOL FIXTURES_DIR
set -uo pipefail
tool=$1
fixtures=$2
if [ ! -d "$fixtures" ]; then
  if [ "${CI:-}" = true ]; then echo "FAIL: fixtures folder $fixtures is missing (CI=true)"; exit 1; fi
  echo "SKIP: fixtures folder $fixtures is missing"; exit 77  # SKIP_RETURN_CODE: CTest reports it skipped
fi
# Documented as broken (malformed/README.md, mysql-5.5-and-older/README.md): name -> offset of the problem.
# The two ver_5_1-wl2325 files come from an unreleased 5.2 development build ("5.2.2-a_drop6p13") that numbered
# event types differently (its type 20, read as PRE_GA_WRITE_ROWS, is an 8-byte XID): the first event that
# cannot be what its type code says must be reported, not guessed at.
declare -A broken=(
  [binlog_truncated_event.000001]=4
  [binlog_truncated_prev_gtid_event.000001]=120
  [corrupt-relay-bin.000624]=91204
  [ver_5_1-wl2325_r.001]=650
  [ver_5_1-wl2325_s.001]=411
)
failures=0
count=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while IFS= read -r -d '' file; do
  name=$(basename "$file")
  count=$((count + 1))
  "$tool" --read "$file" --output json >"$tmp/out.json" 2>"$tmp/err"
  rc=$?
  if [ -n "${broken[$name]:-}" ]; then
    if [ $rc -ne 1 ] || ! grep -q "$name:offset ${broken[$name]}:" "$tmp/err"; then
      echo "FAIL: $file: expected exit 1 naming offset ${broken[$name]}, got $rc: $(cat "$tmp/err")"
      failures=$((failures + 1))
    fi
    continue
  fi
  if [ $rc -ne 0 ]; then
    echo "FAIL: $file: --output json exited $rc: $(cat "$tmp/err")"
    failures=$((failures + 1))
    continue
  fi
  # Every line is one JSON object.
  if ! python3 -c 'import json, sys
for n, line in enumerate(sys.stdin, 1):
    obj = json.loads(line)
    assert isinstance(obj, dict) and "type" in obj and "pos" in obj, f"line {n}: {line[:200]}"' <"$tmp/out.json"; then
    echo "FAIL: $file: --output json is not one JSON object per line"
    failures=$((failures + 1))
  fi
  # Every line is one event; the number of top-level events must match the fixture's events.tsv.
  expected=$(awk -F'\t' -v f="$name" '$1 == f && $3 == 0' "$(dirname "$file")/events.tsv" | wc -l)
  got=$(grep -vc '"payload_pos"' "$tmp/out.json")
  if [ "$expected" -ne "$got" ]; then
    echo "FAIL: $file: $got top-level events in JSON, events.tsv lists $expected"
    failures=$((failures + 1))
  fi
  if ! "$tool" --read "$file" --output raw 2>"$tmp/err" | cmp -s - "$file"; then
    echo "FAIL: $file: --output raw is not byte-identical: $(cat "$tmp/err")"
    failures=$((failures + 1))
  fi
done < <(find "$fixtures" -type f ! -name '*.md' ! -name '*.tsv' ! -name '*.sql' -print0 | sort -z)
echo "read_fixtures: $count files, $failures failures"
[ "$count" -gt 0 ] && [ "$failures" -eq 0 ]
