// The statements mzl-promote sends. MariaDB's are also run against real servers by the integration tests;
// MySQL's (no MySQL server installs here) are checked against the MySQL 8.0 manual's syntax:
// https://dev.mysql.com/doc/refman/8.0/en/stop-replica.html, reset-replica.html, start-replica.html,
// change-replication-source-to.html, gtid-functions.html (WAIT_FOR_EXECUTED_GTID_SET),
// replication-options-gtids.html (gtid_purged), server-system-variables.html (super_read_only).
#include "mzl/failover/replication_statements.h"

#include <catch2/catch.hpp>

using namespace mzl::failover;
using mzl::topology::Flavour;

TEST_CASE("replication statements: MySQL 8.0 forms, per channel") {
  const ServerAddress source{"db2.example.com", 3307};
  CHECK(stop_replication_statement(Flavour::kMysql, "") == "STOP REPLICA FOR CHANNEL ''");
  CHECK(stop_io_thread_statement(Flavour::kMysql, "east") == "STOP REPLICA IO_THREAD FOR CHANNEL 'east'");
  CHECK(start_replication_statement(Flavour::kMysql, "") == "START REPLICA FOR CHANNEL ''");
  CHECK(reset_replication_statement(Flavour::kMysql, "") == "RESET REPLICA ALL FOR CHANNEL ''");
  CHECK(
      change_source_statement(Flavour::kMysql, "", source) ==
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db2.example.com', SOURCE_PORT=3307, SOURCE_AUTO_POSITION=1 "
      "FOR CHANNEL ''");
  const ReplicationCredentials login{"repl", "s3cr'et"};
  CHECK(change_source_statement(Flavour::kMysql, "", source, &login) ==
        "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db2.example.com', SOURCE_PORT=3307, SOURCE_USER='repl', "
        "SOURCE_PASSWORD='s3cr''et', SOURCE_AUTO_POSITION=1 FOR CHANNEL ''");
  CHECK(read_only_statement(Flavour::kMysql) == "SET GLOBAL super_read_only=ON");
  CHECK(writable_statement(Flavour::kMysql) == "SET GLOBAL super_read_only=OFF, GLOBAL read_only=OFF");
  // Gap fill: the session writes, the clients still cannot (read_only stays on).
  CHECK(privileged_writes_statement(Flavour::kMysql) == "SET GLOBAL super_read_only=OFF");
  CHECK(privileged_writes_statement(Flavour::kMariaDb).empty());
  CHECK(wait_for_gtids_statement(Flavour::kMysql, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5", 2.5) ==
        "SELECT WAIT_FOR_EXECUTED_GTID_SET('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5', 2.500)");
  CHECK(set_gtid_state_statement(Flavour::kMysql, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5") ==
        "SET GLOBAL gtid_purged = '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5'");
  // Replication threads run as 'system user' with the command Connect.
  CHECK_THAT(client_sessions_query(Flavour::kMysql), Catch::Contains("'Connect'") &&
                                                         Catch::Contains("'system user'") &&
                                                         Catch::Contains("CONNECTION_ID()"));
}

TEST_CASE("replication statements: MariaDB forms, named connections after SLAVE / MASTER") {
  const ServerAddress source{"127.0.0.1", 3306};
  CHECK(stop_replication_statement(Flavour::kMariaDb, "") == "STOP SLAVE");
  CHECK(stop_replication_statement(Flavour::kMariaDb, "east") == "STOP SLAVE 'east'");
  CHECK(stop_io_thread_statement(Flavour::kMariaDb, "") == "STOP SLAVE IO_THREAD");
  CHECK(reset_replication_statement(Flavour::kMariaDb, "east") == "RESET SLAVE 'east' ALL");
  CHECK(change_source_statement(Flavour::kMariaDb, "", source) ==
        "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=3306, MASTER_USE_GTID=slave_pos");
  CHECK(wait_for_gtids_statement(Flavour::kMariaDb, "0-1-100", 30) ==
        "SELECT MASTER_GTID_WAIT('0-1-100', 30.000)");
  CHECK(set_gtid_state_statement(Flavour::kMariaDb, "0-1-100") == "SET GLOBAL gtid_slave_pos = '0-1-100'");
  CHECK_THAT(client_sessions_query(Flavour::kMariaDb), Catch::Contains("'Slave_SQL'"));
}
