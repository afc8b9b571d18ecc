#pragma once
// The answers a server gives to the SQL a replica's IO thread sends before COM_REGISTER_SLAVE and
// COM_BINLOG_DUMP / COM_BINLOG_DUMP_GTID, so that a real MariaDB or MySQL replica can replicate from the
// archive served by mzl-binlog-tail --serve (issue 19). No sockets: a statement in, a result set, OK or error
// out, and the user variables the replica SET kept in a ReplicaSession for the binlog sender. MaxScale's
// binlog router (pinloki, server/modules/routing/pinloki/pinlokisession.cc) answers the same queries.
//
// What the replicas send, in order (the exact strings are the test cases of
// tests/serve/replica_queries_test.cc):
//
// MariaDB 10.11 replica, sql/slave.cc get_master_version_and_clock() (as a 10.11.19 replica sent them to a
// 10.11.19 primary with general_log on, on this project's machine):
//   SELECT UNIX_TIMESTAMP()                                  clock difference (row[0], strtoul)
//   SHOW VARIABLES LIKE 'SERVER_ID'                          row[1], strtoul; no row: warning only
//   SET @master_heartbeat_period= 30000001024                nanoseconds, when MASTER_HEARTBEAT_PERIOD != 0
//   SET @master_binlog_checksum= @@global.binlog_checksum    1193 would mean "checksum-unaware master"
//   SELECT @master_binlog_checksum                           row[0] looked up in binlog_checksum_typelib
//   SET @mariadb_slave_capability=4                          MARIA_SLAVE_CAPABILITY_MINE
//   SELECT @@GLOBAL.gtid_domain_id                           with MASTER_USE_GTID only: any row will do
//   SET @slave_connect_state='0-1-2'                         the replica's gtid_slave_pos (may be '')
//   SET @slave_gtid_strict_mode=0
//   SET @slave_gtid_ignore_duplicates=0
//   SET @slave_until_gtid='0-1-5'                            with START SLAVE UNTIL master_gtid_pos only
//   SELECT binlog_gtid_pos('mb.000001',4)                    instead of the four above with
//   MASTER_USE_GTID=no
//                                                            (answered NULL, which the replica ignores)
//   SET skip_replication=1                                   with
//   --replicate-events-marked-for-skip=FILTER_ON_MASTER sql/semisync_slave.cc
//   Repl_semi_sync_slave::request_transmit(), with rpl_semi_sync_slave_enabled: SHOW VARIABLES LIKE
//   'rpl_semi_sync_master_enabled'       answered with no row: the replica falls back to
//                                                            asynchronous replication (warning in its log)
//   SET @rpl_semi_sync_slave= 1                              (then not sent)
//   KILL 6                                                   on STOP SLAVE, on a new connection, to end the
//   dump
//                                                            connection (semisync_slave.cc kill_connection())
//
// MySQL 8.0.26 and later (8.0.41, 8.4), sql/rpl_replica.cc handle_slave_io(): get_master_version_and_clock(),
// get_master_uuid(), io_thread_init_commands(), then the semi-sync plugin's request_transmit hook:
//   SELECT UNIX_TIMESTAMP()
//   SELECT @@GLOBAL.SERVER_ID                                1193 allowed (warning), other errors fatal
//   SET @master_heartbeat_period = 30000000000, @source_heartbeat_period = 30000000000
//   SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum =
//   @@global.binlog_checksum SELECT @source_binlog_checksum                           must be NONE or CRC32
//   SELECT @@GLOBAL.GTID_MODE                                must be ON for SOURCE_AUTO_POSITION=1
//   SELECT @@GLOBAL.SERVER_UUID                              must differ from the replica's
//   SET @slave_uuid = '<uuid>', @replica_uuid = '<uuid>'
//   plugin/semisync/semisync_replica_plugin.cc has_source_semisync() (rpl_semi_sync_replica plugin):
//   SELECT @@global.rpl_semi_sync_source_enabled             answered 1193: asynchronous fallback
//   semisync_replica_plugin_old.cc (rpl_semi_sync_slave plugin) also tries
//   SELECT @@global.rpl_semi_sync_master_enabled             answered 1193 as well
// MySQL 8.0 before 8.0.26 (sql/rpl_slave.cc) sends the older one-variable forms, also handled:
//   SET @master_heartbeat_period= <ns>, SET @master_binlog_checksum= @@global.binlog_checksum,
//   SELECT @master_binlog_checksum, SET @slave_uuid= '<uuid>'.
//
// Client libraries and the mariadb/mysql command-line clients add SELECT @@version_comment limit 1,
// select @@version, @@version_comment, SET NAMES utf8mb4, SET autocommit=1, SHOW WARNINGS and the
// @@session.* variables Connector/J asks for; served_variables.h lists the system variables answered.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mzl::serve {

struct ServedServer {           // what the served archive claims to be
  std::string flavour;          // "mariadb" | "mysql"
  std::string server_version;   // e.g. "10.11.0-MariaDB-mzl" / "8.0.36-mzl"
  uint32_t server_id = 0;       // the archived server's id
  std::string server_uuid;      // MySQL
  std::string binlog_checksum;  // "CRC32" | "NONE"
  std::string gtid_position;    // MariaDB gtid_binlog_pos / gtid_current_pos; MySQL gtid_executed
  uint32_t gtid_domain_id = 0;
  std::string gtid_mode = "ON";  // MySQL @@GLOBAL.GTID_MODE: "ON" for a GTID archive, "OFF" for one without
};

struct ReplicaSession {  // what the replica has SET so far (user variables), read by the binlog sender
  // Lower-cased names without '@': master_binlog_checksum, source_binlog_checksum, slave_connect_state,
  // mariadb_slave_capability, master_heartbeat_period and source_heartbeat_period (nanoseconds as text),
  // slave_gtid_strict_mode, slave_gtid_ignore_duplicates, slave_until_gtid, slave_uuid, replica_uuid,
  // rpl_semi_sync_slave, ... A SET of a session system variable (SET skip_replication=1,
  // SET @@session.x=..., SET SESSION x=...) is kept as "@@" + the lower-cased name ("@@skip_replication"),
  // which no user variable name can be. A SET to NULL keeps no entry.
  std::map<std::string, std::string> variables;
};

struct QueryAnswer {
  enum class Kind { kOk, kResultSet, kError } kind = Kind::kOk;
  std::vector<std::string> columns;                           // kResultSet: names as the server prints them
  std::vector<std::vector<std::optional<std::string>>> rows;  // kResultSet: text values, nullopt is NULL
  uint16_t error_code = 0;                                    // kError: the server's code, SQLSTATE and text
  std::string sqlstate, message;
};

// The answer to one statement (the text of a COM_QUERY) as the server `server` would give it. SET stores into
// `session` (all assignments or, on an error, none). Keywords and variable names are case-insensitive; a
// trailing ';' and comments are allowed. Handled:
//   SET assignments, comma-separated, of user variables (@a=1, @b:='x', @c=@@global.binlog_checksum,
//     @d=@e, NULL, numbers, strings, UNIX_TIMESTAMP()) and session system variables; SET NAMES / CHARACTER
//     SET / TRANSACTION: OK, ignored. SET GLOBAL ...: 1227 (the archive's configuration is not the replica's
//     to change).
//   SELECT of one or several expressions with optional [AS] alias, FROM DUAL and LIMIT: @@[scope.]variable,
//     @variable (NULL when unset), literals, UNIX_TIMESTAMP(), VERSION(), DATABASE(), binlog_gtid_pos(...)
//     (MariaDB: NULL). A column is named by its alias or by the expression text as written.
//   SHOW [GLOBAL | SESSION] VARIABLES [LIKE 'pattern']: columns Variable_name, Value; SHOW WARNINGS / ERRORS:
//     no rows.
//   KILL [CONNECTION | QUERY] n: OK; the caller ends connection n (killed_connection_id()).
// Errors, with the server's code, SQLSTATE and text for `server.flavour`: 1065 empty query, 1064 syntax,
// 1193 unknown system variable, 1054 unknown column (a bare name in SET @x=name), 1227 SET GLOBAL, and 1235
// "This version of MariaDB/MySQL doesn't yet support '...'" for any other statement or expression.
QueryAnswer answer_replica_query(std::string_view sql, const ServedServer& server, ReplicaSession& session,
                                 std::chrono::system_clock::time_point now);

// The connection id of `KILL n` / `KILL CONNECTION n`, which a stopping MariaDB semi-sync replica sends on a
// second connection to end its dump connection; nullopt for any other statement.
std::optional<uint64_t> killed_connection_id(std::string_view sql);

}  // namespace mzl::serve
