// The queries real replicas send before dumping (serve/replica_queries.h), with the exact strings of their
// sources: a MariaDB 10.11 replica's as recorded in a 10.11.19 primary's general log on this machine, and the
// answers that primary gave (columns and values); MySQL 8.0.26+/8.4 replicas' from sql/rpl_replica.cc and
// plugin/semisync (no MySQL server installs here: these are the issue's "recorded exchanges" for MySQL).
#include <catch2/catch.hpp>

#include "mzl/serve/replica_queries.h"
#include "mzl/serve/sql_tokens.h"

using namespace mzl::serve;
using Row = std::vector<std::optional<std::string>>;
using Kind = QueryAnswer::Kind;

namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1796644786));

ServedServer maria_server() {
  ServedServer s;
  s.flavour = "mariadb";
  s.server_version = "10.11.19-MariaDB-mzl";
  s.server_id = 1;
  s.binlog_checksum = "CRC32";
  s.gtid_position = "0-1-2";
  s.gtid_domain_id = 0;
  return s;
}

ServedServer mysql_server() {
  ServedServer s;
  s.flavour = "mysql";
  s.server_version = "8.0.36-mzl";
  s.server_id = 7;
  s.server_uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  s.binlog_checksum = "CRC32";
  s.gtid_position = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-23";
  return s;
}

struct Exchange {
  const char* query;
  std::vector<std::string> columns;  // empty: an OK
  std::vector<Row> rows;
};

void replay(const ServedServer& server, ReplicaSession& session, const std::vector<Exchange>& exchanges) {
  for (const auto& x : exchanges) {
    INFO(x.query);
    const QueryAnswer a = answer_replica_query(x.query, server, session, kNow);
    INFO(a.error_code << " " << a.message);
    if (x.columns.empty()) {
      CHECK(a.kind == Kind::kOk);
    } else {
      REQUIRE(a.kind == Kind::kResultSet);
      CHECK(a.columns == x.columns);
      CHECK(a.rows == x.rows);
    }
  }
}

QueryAnswer ask(std::string_view sql, const ServedServer& server) {
  ReplicaSession session;
  return answer_replica_query(sql, server, session, kNow);
}

void check_error(const QueryAnswer& a, uint16_t code, const std::string& sqlstate,
                 const std::string& message) {
  REQUIRE(a.kind == Kind::kError);
  CHECK(a.error_code == code);
  CHECK(a.sqlstate == sqlstate);
  CHECK(a.message == message);
}

}  // namespace

TEST_CASE("replica_queries: a MariaDB 10.11 replica with MASTER_USE_GTID=slave_pos, semi-sync on",
          "[serve]") {
  // general_log of the primary, connection 10 (START SLAVE UNTIL master_gtid_pos='0-1-5'); the columns and
  // values are what that primary answered to the same statements.
  ReplicaSession session;
  replay(maria_server(), session,
         {
             {"SELECT UNIX_TIMESTAMP()", {"UNIX_TIMESTAMP()"}, {{"1796644786"}}},
             {"SHOW VARIABLES LIKE 'SERVER_ID'", {"Variable_name", "Value"}, {{"server_id", "1"}}},
             {"SET @master_heartbeat_period= 30000001024", {}, {}},
             {"SET @master_binlog_checksum= @@global.binlog_checksum", {}, {}},
             {"SELECT @master_binlog_checksum", {"@master_binlog_checksum"}, {{"CRC32"}}},
             {"SET @mariadb_slave_capability=4", {}, {}},
             {"SELECT @@GLOBAL.gtid_domain_id", {"@@GLOBAL.gtid_domain_id"}, {{"0"}}},
             {"SET @slave_connect_state='0-1-2'", {}, {}},
             {"SET @slave_gtid_strict_mode=0", {}, {}},
             {"SET @slave_gtid_ignore_duplicates=0", {}, {}},
             {"SET @slave_until_gtid='0-1-5'", {}, {}},
             // No row: the replica logs "Master server does not support semi-sync" and goes on asynchronously
             // (sql/semisync_slave.cc request_transmit), so @rpl_semi_sync_slave is then not set.
             {"SHOW VARIABLES LIKE 'rpl_semi_sync_master_enabled'", {"Variable_name", "Value"}, {}},
         });
  const std::map<std::string, std::string> expected = {
      {"mariadb_slave_capability", "4"},
      {"master_binlog_checksum", "CRC32"},
      {"master_heartbeat_period", "30000001024"},
      {"slave_connect_state", "0-1-2"},
      {"slave_gtid_ignore_duplicates", "0"},
      {"slave_gtid_strict_mode", "0"},
      {"slave_until_gtid", "0-1-5"},
  };
  CHECK(session.variables == expected);
}

TEST_CASE("replica_queries: a MariaDB 10.11 replica by file and position, and its STOP SLAVE", "[serve]") {
  // general_log, connection 8 (MASTER_USE_GTID=no): binlog_gtid_pos() replaces the GTID statements. The real
  // primary answered '' at the file's first position; NULL here, which the replica skips (sql/slave.cc).
  ReplicaSession session;
  replay(maria_server(), session,
         {
             {"SELECT UNIX_TIMESTAMP()", {"UNIX_TIMESTAMP()"}, {{"1796644786"}}},
             {"SHOW VARIABLES LIKE 'SERVER_ID'", {"Variable_name", "Value"}, {{"server_id", "1"}}},
             {"SET @master_heartbeat_period= 30000001024", {}, {}},
             {"SET @master_binlog_checksum= @@global.binlog_checksum", {}, {}},
             {"SELECT @master_binlog_checksum", {"@master_binlog_checksum"}, {{"CRC32"}}},
             {"SET @mariadb_slave_capability=4", {}, {}},
             {"SELECT binlog_gtid_pos('mb.000001',4)", {"binlog_gtid_pos('mb.000001',4)"}, {{std::nullopt}}},
             {"SET @rpl_semi_sync_slave= 1", {}, {}},
             // connection 9: Repl_semi_sync_slave::kill_connection() ends the dump connection
             {"KILL 6", {}, {}},
         });
  CHECK(session.variables.at("rpl_semi_sync_slave") == "1");
  CHECK(killed_connection_id("KILL 6") == 6u);
  CHECK(killed_connection_id("kill connection 12;") == 12u);
  CHECK_FALSE(killed_connection_id("KILL QUERY 6"));
  CHECK_FALSE(killed_connection_id("SELECT 6"));
}

TEST_CASE("replica_queries: a MySQL 8.0.26+ / 8.4 replica with SOURCE_AUTO_POSITION=1", "[serve]") {
  // sql/rpl_replica.cc: get_master_version_and_clock() (heartbeat period 30 s: slave_net_timeout / 2),
  // get_master_uuid(), io_thread_init_commands(); then semisync_replica_plugin.cc has_source_semisync().
  ReplicaSession session;
  const ServedServer server = mysql_server();
  replay(server, session,
         {
             {"SELECT UNIX_TIMESTAMP()", {"UNIX_TIMESTAMP()"}, {{"1796644786"}}},
             {"SELECT @@GLOBAL.SERVER_ID", {"@@GLOBAL.SERVER_ID"}, {{"7"}}},
             {"SET @master_heartbeat_period = 30000000000, @source_heartbeat_period = 30000000000", {}, {}},
             {"SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = "
              "@@global.binlog_checksum",
              {},
              {}},
             {"SELECT @source_binlog_checksum", {"@source_binlog_checksum"}, {{"CRC32"}}},
             {"SELECT @@GLOBAL.GTID_MODE", {"@@GLOBAL.GTID_MODE"}, {{"ON"}}},
             {"SELECT @@GLOBAL.SERVER_UUID",
              {"@@GLOBAL.SERVER_UUID"},
              {{"3e11fa47-71ca-11e1-9e33-c80aa9429562"}}},
             {"SET @slave_uuid = '5b0ef6b2-71ca-11e1-9e33-c80aa9429562', @replica_uuid = "
              "'5b0ef6b2-71ca-11e1-9e33-c80aa9429562'",
              {},
              {}},
         });
  // Semi-sync: both plugins' probes get "unknown variable", which they read as "asynchronous, then".
  check_error(answer_replica_query("SELECT @@global.rpl_semi_sync_source_enabled", server, session, kNow),
              1193, "HY000", "Unknown system variable 'rpl_semi_sync_source_enabled'");
  check_error(answer_replica_query("SELECT @@global.rpl_semi_sync_master_enabled", server, session, kNow),
              1193, "HY000", "Unknown system variable 'rpl_semi_sync_master_enabled'");
  CHECK(session.variables.at("master_heartbeat_period") == "30000000000");
  CHECK(session.variables.at("source_heartbeat_period") == "30000000000");
  CHECK(session.variables.at("master_binlog_checksum") == "CRC32");
  CHECK(session.variables.at("source_binlog_checksum") == "CRC32");
  CHECK(session.variables.at("slave_uuid") == "5b0ef6b2-71ca-11e1-9e33-c80aa9429562");
  CHECK(session.variables.at("replica_uuid") == "5b0ef6b2-71ca-11e1-9e33-c80aa9429562");
}

TEST_CASE("replica_queries: a MySQL 8.0 replica before 8.0.26 (sql/rpl_slave.cc), checksums off", "[serve]") {
  ServedServer server = mysql_server();
  server.binlog_checksum = "NONE";
  server.gtid_mode = "OFF";
  ReplicaSession session;
  replay(server, session,
         {
             {"SET @master_heartbeat_period= 30000000000", {}, {}},
             {"SET @master_binlog_checksum= @@global.binlog_checksum", {}, {}},
             {"SELECT @master_binlog_checksum", {"@master_binlog_checksum"}, {{"NONE"}}},
             {"SELECT @@GLOBAL.GTID_MODE", {"@@GLOBAL.GTID_MODE"}, {{"OFF"}}},
             {"SET @slave_uuid= '5b0ef6b2-71ca-11e1-9e33-c80aa9429562'", {}, {}},
         });
  CHECK(session.variables.at("master_binlog_checksum") == "NONE");
}

TEST_CASE("replica_queries: the variables of the other flavour are unknown, as on the real servers",
          "[serve]") {
  // Texts as a MariaDB 10.11.19 server gave them (the name as written, without its scope).
  check_error(ask("SELECT @@GLOBAL.SERVER_UUID", maria_server()), 1193, "HY000",
              "Unknown system variable 'SERVER_UUID'");
  check_error(ask("SELECT @@GLOBAL.GTID_MODE", maria_server()), 1193, "HY000",
              "Unknown system variable 'GTID_MODE'");
  check_error(ask("SELECT @@GLOBAL.gtid_domain_id", mysql_server()), 1193, "HY000",
              "Unknown system variable 'gtid_domain_id'");
  CHECK(ask("SHOW VARIABLES LIKE 'server_uuid'", maria_server()).rows.empty());
  auto gtid = ask("SELECT @@GLOBAL.gtid_executed", mysql_server());
  REQUIRE(gtid.kind == Kind::kResultSet);
  CHECK(gtid.rows == std::vector<Row>{{"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-23"}});
}

TEST_CASE("replica_queries: SET of several assignments, scopes and NULL", "[serve]") {
  ReplicaSession session;
  const ServedServer server = maria_server();
  // Every right side is evaluated before any assignment, as a MariaDB 10.11.19 server does: @d gets the
  // value @a had before the statement (none, so NULL, so no entry).
  CHECK(answer_replica_query("SET @a=1, @B:='x', @c=@@global.binlog_checksum, @d=@a, @e=-3, @f=TRUE", server,
                             session, kNow)
            .kind == Kind::kOk);
  CHECK(session.variables ==
        std::map<std::string, std::string>{{"a", "1"}, {"b", "x"}, {"c", "CRC32"}, {"e", "-3"}, {"f", "1"}});
  CHECK(answer_replica_query("SET @d=@a", server, session, kNow).kind == Kind::kOk);
  CHECK(session.variables.at("d") == "1");
  CHECK(answer_replica_query("SET @a = NULL", server, session, kNow).kind == Kind::kOk);
  CHECK(session.variables.count("a") == 0);
  // Session system variables are kept under "@@"; the connection's character set is ignored.
  CHECK(answer_replica_query("SET skip_replication=1, SESSION sql_mode='', @@session.autocommit=ON", server,
                             session, kNow)
            .kind == Kind::kOk);
  CHECK(session.variables.at("@@skip_replication") == "1");
  CHECK(session.variables.at("@@sql_mode") == "");
  CHECK(session.variables.at("@@autocommit") == "ON");
  CHECK(answer_replica_query("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci", server, session, kNow).kind ==
        Kind::kOk);
  CHECK(answer_replica_query("/*!40101 SET NAMES utf8 */;", server, session, kNow).kind == Kind::kOk);
  CHECK(answer_replica_query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", server, session, kNow)
            .kind == Kind::kOk);
  // One unknown variable on the right: nothing is assigned (the server checks every assignment first).
  check_error(answer_replica_query("SET @g=1,@h=@@global.nonexist", server, session, kNow), 1193, "HY000",
              "Unknown system variable 'nonexist'");
  CHECK(session.variables.count("g") == 0);
  check_error(answer_replica_query("SET @g=some_column", server, session, kNow), 1054, "42S22",
              "Unknown column 'some_column' in 'field list'");
  // The archive's configuration is not the replica's to change.
  check_error(answer_replica_query("SET GLOBAL gtid_slave_pos='0-1-1'", server, session, kNow), 1227, "42000",
              "Access denied; you need (at least one of) the SUPER privilege(s) for this operation");
  check_error(
      answer_replica_query("SET @@global.read_only=0", mysql_server(), session, kNow), 1227, "42000",
      "Access denied; you need (at least one of) the SUPER or SYSTEM_VARIABLES_ADMIN privilege(s) for "
      "this operation");
}

TEST_CASE("replica_queries: SELECT of several expressions, aliases, LIMIT", "[serve]") {
  const ServedServer server = maria_server();
  ReplicaSession session;
  session.variables["x"] = "5";
  auto a = answer_replica_query(
      "select @@version, @@version_comment, @X, @unset, 'abc', 1.50, -3, NULL, @@session.server_id AS sid, "
      "VERSION() v, @@read_only",
      server, session, kNow);
  REQUIRE(a.kind == Kind::kResultSet);
  CHECK(a.columns == std::vector<std::string>{"@@version", "@@version_comment", "@X", "@unset", "abc", "1.50",
                                              "-3", "NULL", "sid", "v", "@@read_only"});
  CHECK(a.rows == std::vector<Row>{{"10.11.19-MariaDB-mzl", "mzl-binlog-tail --serve", "5", std::nullopt,
                                    "abc", "1.50", "-3", std::nullopt, "1", "10.11.19-MariaDB-mzl", "1"}});
  // What the mariadb and mysql command-line clients send first.
  a = ask("select @@version_comment limit 1", server);
  CHECK(a.columns == std::vector<std::string>{"@@version_comment"});
  CHECK(a.rows == std::vector<Row>{{"mzl-binlog-tail --serve"}});
  CHECK(ask("SELECT 1 LIMIT 0", server).rows.empty());
  CHECK(ask("SELECT  @@version_comment   AS c  FROM DUAL LIMIT 1", server).columns ==
        std::vector<std::string>{"c"});
  a = ask("SELECT @@GLOBAL.gtid_binlog_pos, @@gtid_current_pos, @@global.gtid_slave_pos x", server);
  CHECK(a.columns == std::vector<std::string>{"@@GLOBAL.gtid_binlog_pos", "@@gtid_current_pos", "x"});
  CHECK(a.rows == std::vector<Row>{{"0-1-2", "0-1-2", "0-1-2"}});
  a = ask("select DATABASE()", server);
  CHECK(a.rows == std::vector<Row>{{std::nullopt}});
}

TEST_CASE("replica_queries: SHOW VARIABLES and SHOW WARNINGS", "[serve]") {
  auto a = ask("show global variables like 'GTID%'", maria_server());
  REQUIRE(a.kind == Kind::kResultSet);
  CHECK(a.rows == std::vector<Row>{{"gtid_binlog_pos", "0-1-2"},
                                   {"gtid_current_pos", "0-1-2"},
                                   {"gtid_domain_id", "0"},
                                   {"gtid_slave_pos", "0-1-2"}});
  a = ask("SHOW SESSION VARIABLES LIKE 'read\\_only'", mysql_server());
  CHECK(a.rows == std::vector<Row>{{"read_only", "ON"}});
  a = ask("SHOW VARIABLES LIKE 'server_uuid'", mysql_server());
  CHECK(a.rows == std::vector<Row>{{"server_uuid", "3e11fa47-71ca-11e1-9e33-c80aa9429562"}});
  CHECK(ask("SHOW VARIABLES", maria_server()).rows.size() > 20);
  a = ask("SHOW WARNINGS", maria_server());
  CHECK(a.columns == std::vector<std::string>{"Level", "Code", "Message"});
  CHECK(a.rows.empty());
}

TEST_CASE("replica_queries: errors with the server's codes and texts", "[serve]") {
  // As the MariaDB 10.11.19 server answered "SELEC 1".
  check_error(
      ask("SELEC 1", maria_server()), 1064, "42000",
      "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server "
      "version for the right syntax to use near 'SELEC 1' at line 1");
  check_error(ask("SELECT 1,\n@@version ,", mysql_server()), 1064, "42000",
              "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server "
              "version for the right syntax to use near '' at line 2");
  check_error(
      ask("SELECT 'unterminated", maria_server()), 1064, "42000",
      "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server "
      "version for the right syntax to use near ''unterminated' at line 1");
  check_error(ask("  ; ", maria_server()), 1065, "42000", "Query was empty");
  check_error(ask("-- nothing", maria_server()), 1065, "42000", "Query was empty");
  check_error(ask("INSERT INTO t VALUES (1)", maria_server()), 1235, "42000",
              "This version of MariaDB doesn't yet support 'INSERT INTO t VALUES (1)'");
  check_error(ask("SHOW MASTER STATUS", mysql_server()), 1235, "42000",
              "This version of MySQL doesn't yet support 'SHOW MASTER STATUS'");
  check_error(ask("SELECT 1 + 2, 3", maria_server()), 1235, "42000",
              "This version of MariaDB doesn't yet support '1 + 2'");
  check_error(ask("SELECT NOW()", maria_server()), 1235, "42000",
              "This version of MariaDB doesn't yet support 'NOW()'");
  check_error(ask("SELECT a FROM t", maria_server()), 1235, "42000",
              "This version of MariaDB doesn't yet support 'FROM t'");
}

TEST_CASE("sql_tokens: strings, variables, comments", "[serve]") {
  auto tokens = tokenize_sql("SET @`a b`='it''s\\n', @@Global.Server_Id := \"q\" # comment\n/* c */ -- c");
  REQUIRE(tokens);
  REQUIRE(tokens->size() == 8);
  CHECK((*tokens)[1].kind == TokenKind::kUserVariable);
  CHECK((*tokens)[1].text == "a b");
  CHECK((*tokens)[3].text == "it's\n");
  CHECK((*tokens)[5].kind == TokenKind::kSystemVariable);
  CHECK((*tokens)[5].scope == "global");
  CHECK((*tokens)[5].text == "Server_Id");
  CHECK((*tokens)[6].text == ":=");
  CHECK((*tokens)[7].text == "q");
  CHECK_FALSE(tokenize_sql("SELECT /* open"));
}
