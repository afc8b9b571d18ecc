#!/usr/bin/env bash
# Prints what tests/topology/mariadb_rows_test.cc pastes as recorded server output: for each server of a
# running sandbox (scripts/sandbox), the row of topology::server_variables_query(kMariaDb) and every row of
# SHOW ALL SLAVES STATUS, in the mariadb client's vertical format (\G).
#
#   tests/topology/capture_mariadb_rows.sh [--dir DIR] [--servers N]
#
# Run it on a sandbox in the state the test describes (e.g. after STOP SLAVE IO_THREAD on a replica).
set -euo pipefail
dir=${MZL_SANDBOX_DIR:-/tmp/mzl-sandbox}
servers=3
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --servers) servers=$2; shift 2 ;;
    *) echo "usage: $0 [--dir DIR] [--servers N]" >&2; exit 2 ;;
  esac
done
variables="SELECT @@server_id AS server_id, @@version AS version, @@read_only AS read_only, @@log_bin AS log_bin,
  @@gtid_domain_id AS gtid_domain_id, @@gtid_binlog_pos AS gtid_binlog_pos,
  @@gtid_current_pos AS gtid_current_pos, @@gtid_slave_pos AS gtid_slave_pos"
for i in $(seq 1 "$servers"); do
  echo "=== server $i: variables"
  mariadb --defaults-file="$dir/client-$i.cnf" -e "$variables\\G" | sed '/^\*\*\*/d'
  echo "=== server $i: SHOW ALL SLAVES STATUS"
  mariadb --defaults-file="$dir/client-$i.cnf" -e 'SHOW ALL SLAVES STATUS\G'
done
