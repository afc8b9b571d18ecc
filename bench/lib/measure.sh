# shellcheck shell=bash disable=SC2154  # $bench, $dir: set by the sourcing script
# Timing helpers shared by the bench scripts (sourced, not run). The caller sets $dir (its work directory) and
# $bench (its name, for messages).

# measure STDOUT_FILE CMD... -> prints "wall_s user_s sys_s peak_rss_kb" of one run of CMD. CMD's stdout goes
# to STDOUT_FILE (/dev/null to drop it), its stderr to $dir/stderr.out; a failure ends the bench.
measure() {
  local out=$1
  shift
  /usr/bin/time -o "$dir/time.out" -f '%e %U %S %M' "$@" >"$out" 2>"$dir/stderr.out" ||
    { echo "$bench: $1 failed: $(tail -3 "$dir/stderr.out")" >&2; exit 1; }
  cat "$dir/time.out"
}

# less A B: true when the number A < B.
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# ratio A B -> A / B with two decimals ("n/a" when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

# Best of several runs of one side: best_reset NAME, then best_take NAME WALL USER SYS RSS after each run.
# NAME_wall/NAME_rss are those of the fastest run, NAME_user/NAME_sys/NAME_cpu those of the run with the least
# user + sys (the two need not be the same run on a shared machine), NAME_best_run is the fastest run's number.
best_reset() { eval "$1_wall= $1_rss= $1_user= $1_sys= $1_cpu= $1_best_run= $1_runs=0"; }
best_take() {
  local name=$1 wall=$2 user=$3 sys=$4 rss=$5 cpu old_wall old_cpu runs
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  eval "old_wall=\$${name}_wall old_cpu=\$${name}_cpu runs=\$${name}_runs"
  runs=$((runs + 1))
  eval "${name}_runs=$runs"
  if [ -z "$old_wall" ] || less "$wall" "$old_wall"; then
    eval "${name}_wall=$wall ${name}_rss=$rss ${name}_best_run=$runs"
  fi
  if [ -z "$old_cpu" ] || less "$cpu" "$old_cpu"; then
    eval "${name}_user=$user ${name}_sys=$sys ${name}_cpu=$cpu"
  fi
}

# print_side LABEL NAME MB: one row "wall user sys user+sys MB/s peak" of a best_take'n side.
print_side() {
  local label=$1 name=$2 mb=$3 wall user sys cpu rss
  eval "wall=\$${name}_wall user=\$${name}_user sys=\$${name}_sys cpu=\$${name}_cpu rss=\$${name}_rss"
  printf '  %-62s %7.2f %7.2f %7.2f %8.2f %8.1f %8d\n' "$label" "$wall" "$user" "$sys" "$cpu" \
    "$(awk -v b="$mb" -v t="$wall" 'BEGIN { print (t > 0 ? b / t : 0) }')" "$rss"
}
print_side_header() {
  printf '  %-62s %7s %7s %7s %8s %8s %8s\n' "(best of $1: wall = fastest run; CPU = least user+sys)" \
    "wall s" "user s" "sys s" "user+sys" "MB/s" "peak KB"
}

# json_number FILE KEY -> the number KEY holds in the one-line JSON object in FILE, or "n/a" when absent
# (older binaries do not report every field).
json_number() {
  local v
  v=$(sed -n "s/.*\"$2\":\([-0-9.eE+]*\).*/\1/p" "$1" 2>/dev/null | head -1)
  echo "${v:-n/a}"
}
# json_ms FILE KEY -> json_number with 2 decimals (a latency in ms), or "n/a".
json_ms() {
  local v
  v=$(json_number "$1" "$2")
  if [ "$v" = n/a ]; then echo n/a; else awk -v v="$v" 'BEGIN { printf "%.2f", v }'; fi
}

# perf_profile LABEL DATA_FILE CMD...: one extra, untimed run of CMD under `perf record -F 499 -g` (cpu-clock
# sampling), then the flat top of `perf report --no-children --percent-limit 1.5` (the call graphs stay in
# DATA_FILE: perf report -i DATA_FILE --no-children --stdio). Skipped with a note when perf is missing or fails.
perf_profile() {
  local label=$1 data=$2
  shift 2
  if ! command -v perf >/dev/null 2>&1; then
    echo "$bench perf [$label]: perf is not installed, no profile"
    return 0
  fi
  if ! perf record -F 499 -g -o "$data" -- "$@" >/dev/null 2>"$dir/perf.err"; then
    echo "$bench perf [$label]: perf record failed: $(tail -2 "$dir/perf.err")"
    return 0
  fi
  echo "$bench perf [$label]: perf record -F 499 -g -o $data; perf report --no-children --percent-limit 1.5 (flat):"
  perf report -i "$data" --no-children --percent-limit 1.5 --stdio -g none 2>/dev/null |
    grep -v '^#' | grep -v '^ *$' | head -40 | cut -c1-150 | sed 's/^/  /'
}
