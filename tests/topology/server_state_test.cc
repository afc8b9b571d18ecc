// Parsing what servers say about themselves (topology/server_state.h): MariaDB rows recorded from the
// sandbox, MySQL 8.0 rows written from the manual (tests/topology/recorded/, see the comments at the top of
// each file).
#include <catch2/catch.hpp>

#include "mzl/topology/server_state.h"
#include "recorded_rows.h"

using namespace mzl;
using namespace mzl::topology;

TEST_CASE("ServerAddress: parse, print and compare") {
  auto a = ServerAddress::parse("db1.example:3307");
  REQUIRE(a.ok());
  CHECK(a->host == "db1.example");
  CHECK(a->port == 3307);
  CHECK(a->to_string() == "db1.example:3307");
  auto b = ServerAddress::parse("DB1.example:3307");
  REQUIRE(b.ok());
  CHECK(a->same_as(*b));
  auto plain = ServerAddress::parse("db2");
  REQUIRE(plain.ok());
  CHECK(plain->port == 3306);
  auto v6 = ServerAddress::parse("[::1]:3310");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->to_string() == "[::1]:3310");
  CHECK(ServerAddress{"localhost", 3306}.same_as(ServerAddress{"127.0.0.1", 3306}));
  CHECK_FALSE(ServerAddress{"127.0.0.1", 3306}.same_as(ServerAddress{"127.0.0.1", 3307}));
  for (const char* bad : {"", ":3306", "db:", "db:0", "db:65536", "db:x", "[::1", "[::1]3306"}) {
    INFO(bad);
    CHECK_FALSE(ServerAddress::parse(bad).ok());
  }
}

TEST_CASE("MariaDB state: the recorded healthy sandbox") {
  auto entries = test::recorded_entries("mariadb_healthy.txt", 27840);
  REQUIRE(entries.size() == 3);
  const ServerState& primary = *entries[0].state;
  CHECK(primary.flavour == Flavour::kMariaDb);
  CHECK(primary.version == "10.11.19-MariaDB-0+deb12u1-log");
  CHECK(primary.server_id == 1);
  CHECK(primary.writable());
  CHECK(primary.log_bin);
  CHECK(primary.gtid_domain_id == 0);
  CHECK(primary.gtid_binlog_pos.to_string() == "0-1-3");
  CHECK(primary.gtid_slave_pos.empty());
  CHECK(primary.channels.empty());

  const ServerState& replica = *entries[1].state;
  CHECK(replica.server_id == 2);
  CHECK(replica.read_only);
  CHECK_FALSE(replica.writable());
  CHECK(replica.gtid_slave_pos.to_string() == "0-1-3");
  REQUIRE(replica.channels.size() == 1);
  const ReplicationChannel& c = replica.channels[0];
  CHECK(c.name.empty());
  CHECK(c.source.to_string() == "127.0.0.1:27840");
  CHECK(c.source_server_id == 1u);
  CHECK(c.io_running == "Yes");
  CHECK(c.io_thread_running());
  CHECK(c.sql_running);
  CHECK(c.relay_log_applied());  // "Slave has read all relay log; waiting for more updates"
  CHECK(c.using_gtid == "Slave_Pos");
  CHECK(c.maria_received.to_string() == "0-1-3");
  CHECK(c.seconds_behind == uint64_t{0});
  CHECK(c.last_io_errno == 0);
  CHECK(c.last_sql_error.empty());
}

TEST_CASE("MariaDB state: a stopped IO thread and a replica's own domain, recorded") {
  auto entries = test::recorded_entries("mariadb_io_stopped_errant.txt", 27840);
  REQUIRE(entries.size() == 3);
  const ReplicationChannel& stopped = entries[1].state->channels.at(0);
  CHECK(stopped.io_running == "No");
  CHECK_FALSE(stopped.io_thread_running());
  CHECK(stopped.sql_running);
  CHECK_FALSE(stopped.seconds_behind.has_value());  // NULL
  CHECK(stopped.maria_received.to_string() == "0-1-4");
  const ServerState& own_domain = *entries[2].state;
  CHECK(own_domain.gtid_binlog_pos.to_string() == "0-1-6,99-3-2");
  CHECK(own_domain.gtid_slave_pos.to_string() == "0-1-6");
}

TEST_CASE("MariaDB state: an IO thread that cannot connect, recorded") {
  auto entries = test::recorded_entries("mariadb_io_error.txt", 27840);
  const ReplicationChannel& c = entries[1].state->channels.at(0);
  CHECK(c.io_running == "Connecting");
  CHECK(c.source.port == 27849);
  CHECK(c.last_io_errno == 2003);
  CHECK(c.last_io_error.find("Connection refused") != std::string::npos);
}

TEST_CASE("MySQL 8.0 state: SHOW REPLICA STATUS rows written from the manual") {
  auto entries = test::recorded_entries("mysql80_replica_status.txt", 13000);
  REQUIRE(entries.size() == 4);
  const ServerState& primary = *entries[0].state;
  CHECK(primary.flavour == Flavour::kMysql);
  CHECK(primary.writable());
  CHECK(primary.server_uuid == "3e11fa47-71ca-11e1-9e33-c80aa9429562");
  CHECK(primary.gtid_executed.to_string(",") ==
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100,8e9f0a1b-71ca-11e1-9e33-c80aa9429566:1-20");

  const ServerState& lagging = *entries[1].state;
  CHECK(lagging.read_only);
  CHECK(lagging.super_read_only);
  CHECK_FALSE(lagging.writable());
  REQUIRE(lagging.channels.size() == 1);
  const ReplicationChannel& c = lagging.channels[0];
  CHECK(c.source.to_string() == "127.0.0.1:13000");
  CHECK(c.source_server_id == 1u);
  CHECK(c.io_thread_running());
  CHECK(c.sql_running);
  CHECK(c.using_gtid == "Auto_Position");
  CHECK(c.seconds_behind == uint64_t{12});
  CHECK(c.sql_state == "Waiting for dependent transaction to commit");
  CHECK_FALSE(c.relay_log_applied());
  CHECK(c.mysql_received.to_string(",") == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100");

  const ReplicationChannel& broken = entries[2].state->channels.at(0);
  CHECK(broken.io_running == "Connecting");
  CHECK(broken.relay_log_applied());  // "Replica has read all relay log; ..." (MySQL 8.0.26+)
  CHECK(broken.last_io_errno == 2003);
  CHECK_FALSE(broken.seconds_behind.has_value());
  CHECK(entries[3].state->gtid_executed.count() == 122);
}

TEST_CASE("Replica status: MySQL before 8.0.22 spells the columns Master_* and Slave_*") {
  net::NamedRow row{{"Master_Host", "db1"},
                    {"Master_Port", "3306"},
                    {"Slave_IO_Running", "Yes"},
                    {"Slave_SQL_Running", "No"},
                    {"Seconds_Behind_Master", std::nullopt},
                    {"Last_SQL_Errno", "1062"},
                    {"Last_SQL_Error", "Duplicate entry '1' for key 'PRIMARY'"},
                    {"Master_Server_Id", "7"},
                    {"Retrieved_Gtid_Set", ""},
                    {"Auto_Position", "0"}};
  auto c = parse_replication_channel(Flavour::kMysql, row);
  REQUIRE(c.ok());
  CHECK(c->source.to_string() == "db1:3306");
  CHECK(c->io_thread_running());
  CHECK_FALSE(c->sql_running);
  CHECK(c->last_sql_errno == 1062);
  CHECK(c->using_gtid == "No");
  CHECK(c->source_server_id == 7u);
}

TEST_CASE("Replica status: malformed values are errors naming the column") {
  net::NamedRow row{{"Master_Host", "db1"}, {"Master_Port", "3306"}, {"Gtid_IO_Pos", "0-1-x"}};
  auto c = parse_replication_channel(Flavour::kMariaDb, row);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("Gtid_IO_Pos") != std::string::npos);
  net::NamedRow no_host{{"Master_Port", "3306"}};
  CHECK_FALSE(parse_replication_channel(Flavour::kMariaDb, no_host).ok());
  net::NamedRow bad_port{{"Source_Host", "db1"}, {"Source_Port", "x"}, {"Retrieved_Gtid_Set", ""}};
  CHECK_FALSE(parse_replication_channel(Flavour::kMysql, bad_port).ok());
  net::NamedRow no_retrieved{{"Source_Host", "db1"}, {"Source_Port", "3306"}};
  CHECK_FALSE(parse_replication_channel(Flavour::kMysql, no_retrieved).ok());
  net::NamedRow variables{{"version", "8.0.36"}, {"server_id", "1"}, {"gtid_executed", "not-a-uuid:1"}};
  auto state = parse_server_state({"db1", 3306}, variables, {});
  REQUIRE_FALSE(state.ok());
  CHECK(state.error().where == "db1:3306");
}
