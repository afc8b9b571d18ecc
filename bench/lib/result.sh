# bench_result OPERATION ANCHOR RATIO GOAL MET: one row of bench/all's table (what mzl did, the tool it was
# measured against, "anchor / mzl" as Nx, the goal as the issue states it, and yes/no), appended to
# $MZL_BENCH_RESULTS when bench/all runs the benchmark; nothing otherwise.
bench_result() {
  [ -n "${MZL_BENCH_RESULTS:-}" ] || return 0
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(basename "$0")" "$1" "$2" "$3" "$4" "$5" >>"$MZL_BENCH_RESULTS"
}

# at_least VALUE GOAL: "yes" when VALUE >= GOAL, else "no" (decimal numbers).
at_least() { awk -v v="$1" -v g="$2" 'BEGIN { print (v + 0 >= g + 0) ? "yes" : "no" }'; }
# at_most VALUE GOAL: "yes" when VALUE <= GOAL, else "no".
at_most() { awk -v v="$1" -v g="$2" 'BEGIN { print (v + 0 <= g + 0) ? "yes" : "no" }'; }
