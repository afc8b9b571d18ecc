# shellcheck shell=bash disable=SC2154  # $bench, $dir: set by the sourcing script
# The disk's rates on the file system of a directory, so that a reader can tell disk-bound from CPU-bound
# figures (sourced by the bench scripts, not run). The caller sets $bench (its name, for messages).

# probe_source DIR -> "device fstype" of DIR's file system (df --output=source,fstype).
probe_source() { df --output=source,fstype "$1" | tail -1 | awk '{ print $1, $2 }'; }

# dd_seconds DD_ARGS... -> the seconds of dd's "N bytes (...) copied, S s, R MB/s" line (C locale).
dd_seconds() { LC_ALL=C dd "$@" 2>&1 | sed -n 's/.*copied, \([0-9.e+-]*\) s.*/\1/p'; }

# probe_fdatasync_rate DIR -> bytes/s of a 1 GiB sequential write made durable by one fdatasync
# (dd bs=1M count=1024 conv=fdatasync). A durable copy of B bytes cannot take less than B / rate seconds.
probe_fdatasync_rate() {
  local secs
  secs=$(dd_seconds if=/dev/zero of="$1/probe" bs=1M count=1024 conv=fdatasync)
  rm -f "$1/probe"
  awk -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", 1073741824 / s; else print 0 }'
}

# probe_dsync_ms DIR -> mean ms of one synchronous 16 KiB write (dd bs=16k count=2000 oflag=dsync): about what
# the fsync of each commit costs before a semi-sync ACK.
probe_dsync_ms() {
  local secs
  secs=$(dd_seconds if=/dev/zero of="$1/probe" bs=16k count=2000 oflag=dsync)
  rm -f "$1/probe"
  awk -v s="$secs" 'BEGIN { printf "%.3f", 1000 * s / 2000 }'
}

# disk_probe DIR: prints one line about DIR's file system and sets probe_rate (bytes/s with fdatasync).
disk_probe() {
  local dsync
  probe_rate=$(probe_fdatasync_rate "$1")
  dsync=$(probe_dsync_ms "$1")
  printf '%s disk: %s (%s): %.1f MB/s sequential with fdatasync (dd bs=1M count=1024 conv=fdatasync), %s ms mean per synchronous 16 KiB write (dd oflag=dsync)\n' \
    "$bench" "$1" "$(probe_source "$1")" "$(awk -v r="$probe_rate" 'BEGIN { print r / 1048576 }')" "$dsync"
}
