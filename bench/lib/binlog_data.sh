# shellcheck shell=bash disable=SC2154  # $bench, $dir: set by the sourcing script
# Generating binlog data sets on a sandbox server (sourced by bench/tail and bench/decode, not run), so that both
# benches measure the same shapes:
#   bulk: wide rows written by INSERT ... SELECT, 1000 rows of ~4 KB (4 MB) per transaction, files of 256 MB:
#         few, large events, the favourable case.
#   oltp: sysbench oltp_write_only, 8 threads on 8 tables of 100k rows: ~14 events of a few hundred bytes per
#         transaction, the shape of real OLTP traffic.
# The caller sets $bench (its name, for messages).

# current_binlog CNF -> the server's current binlog file name.
current_binlog() { mariadb --defaults-file="$1" --batch --skip-column-names -e "SHOW MASTER STATUS" | cut -f1; }

# binlog_files_from BINLOG_DIR FIRST -> the paths of the binlog files from FIRST on, one a line, in order.
binlog_files_from() {
  local f
  for f in "$1"/mariadb-bin.[0-9]*; do
    [[ "$(basename "$f")" < "$2" ]] || echo "$f"
  done
}

# bytes_of FILE... -> their total size.
bytes_of() { if [ $# -eq 0 ]; then echo 0; else du -cb "$@" | tail -1 | cut -f1; fi; }

# bulk_setup CNF: the bench.seed rows and the empty bench.t table the bulk writer copies them into.
bulk_setup() {
  mariadb --defaults-file="$1" -e "
    SET GLOBAL max_binlog_size = 256 * 1024 * 1024;
    CREATE DATABASE IF NOT EXISTS bench;
    CREATE TABLE IF NOT EXISTS bench.seed (id INT PRIMARY KEY, a VARCHAR(2000), b VARCHAR(2000)) ENGINE=InnoDB;
    INSERT IGNORE INTO bench.seed SELECT seq, REPEAT(MD5(seq), 62), REPEAT(SHA1(seq), 50)
      FROM bench.seq_1_to_1000;
    CREATE TABLE IF NOT EXISTS bench.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, a VARCHAR(2000), b VARCHAR(2000))
      ENGINE=InnoDB;"
}
# bulk_write CNF: one round of the bulk writer (16 transactions of 4 MB, then a TRUNCATE).
bulk_write() {
  {
    for _ in $(seq 16); do echo "INSERT INTO bench.t (a, b) SELECT a, b FROM bench.seed;"; done
    echo "TRUNCATE TABLE bench.t;"
  } | mariadb --defaults-file="$1"
}

# oltp_sysbench PORT -> sets the array oltp_sb: sysbench with the oltp data set's options (append the test, run).
oltp_sysbench() {
  oltp_sb=(sysbench --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$1" --mysql-user=mzl
           --mysql-password=mzl-sandbox --mysql-db=sbtest --tables=8 --table-size=100000 --threads=8)
}
# oltp_setup CNF PORT: the sysbench tables (prepare, skipped when they exist).
oltp_setup() {
  oltp_sysbench "$2"
  mariadb --defaults-file="$1" -e "CREATE DATABASE IF NOT EXISTS sbtest"
  if [ -z "$(mariadb --defaults-file="$1" --batch --skip-column-names -e "SHOW TABLES FROM sbtest LIKE 'sbtest8'")" ]; then
    echo "$bench: preparing sysbench tables (8 x 100k rows)" >&2
    "${oltp_sb[@]}" oltp_write_only prepare >/dev/null
  fi
}
# oltp_write PORT: one 30 s sysbench oltp_write_only run (new sessions: they see the current GLOBAL settings).
oltp_write() {
  oltp_sysbench "$1"
  "${oltp_sb[@]}" --time=30 --report-interval=0 oltp_write_only run >/dev/null
}

# fill_binlog CNF BINLOG_DIR FIRST SIZE_MB LIST_FILE WRITER...: runs WRITER until the binlog files from FIRST on
# hold SIZE_MB, then FLUSH BINARY LOGS (so that every file of the data set is closed) and writes the data set's
# files (FIRST up to the one before the new current file) to LIST_FILE, one path a line.
fill_binlog() {
  local cnf=$1 binlog_dir=$2 first=$3 size_mb=$4 list=$5 files current f
  shift 5
  echo "$bench: writing until the binlog from $first holds $size_mb MB ($*)" >&2
  while :; do
    mapfile -t files < <(binlog_files_from "$binlog_dir" "$first")
    [ "$(bytes_of "${files[@]}")" -lt $((size_mb * 1024 * 1024)) ] || break
    "$@"
  done
  mariadb --defaults-file="$cnf" -e "FLUSH BINARY LOGS"
  current=$(current_binlog "$cnf")
  binlog_files_from "$binlog_dir" "$first" | while read -r f; do
    [ "$(basename "$f")" = "$current" ] || echo "$f"
  done >"$list"
}
