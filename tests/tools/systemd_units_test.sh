#!/usr/bin/env bash
# The example systemd units and timers (scripts/*.service, *.timer) pass `systemd-analyze verify`, with their
# programs pointed at the built ones (the units name /usr/local/bin, where cmake --install puts them).
set -euo pipefail
tools=${1:?usage: systemd_units_test.sh TOOLS_DIR SOURCE_DIR}
source_dir=${2:?usage: systemd_units_test.sh TOOLS_DIR SOURCE_DIR}
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze is missing (Debian package systemd; scripts/setup installs it)" >&2
  exit 77
fi
dir=$(mktemp -d /tmp/mzl-units.XXXXXX)
trap 'rm -rf "$dir"' EXIT
for unit in "$source_dir"/scripts/*.service "$source_dir"/scripts/*.timer; do
  sed "s|/usr/local/bin/|$tools/|g" "$unit" >"$dir/$(basename "$unit")"
done
cd "$dir"
status=0
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./*.service ./*.timer 2>&1) || status=$?
# User=mzl need not exist on the build machine; everything else must be clean.
out=$(grep -v "Failed to resolve user\|User \"mzl\"\|Group \"mzl\"" <<<"$out" || true)
if [ "$status" != 0 ] || [ -n "$out" ]; then
  echo "systemd-analyze verify (exit $status):" >&2
  echo "$out" >&2
  exit 1
fi
ls ./*.service ./*.timer | wc -l | xargs echo "units verified:"
