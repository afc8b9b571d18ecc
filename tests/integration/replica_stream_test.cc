// ReplicaStream against the sandbox's real MariaDB primary: every event it hands out is byte for byte the
// event at the same offset of the server's own binlog file (read from the primary's datadir), by file and
// position and by GTID; ROTATE / FORMAT_DESCRIPTION across FLUSH BINARY LOGS; heartbeats; purged positions;
// semi-sync ACKs counted by the primary; an event larger than one 16 MB protocol packet.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "mzl/net/replica_stream.h"
#include "sandbox.h"
#include "test_support.h"

namespace mzl::test {
namespace {

constexpr uint8_t kRotate = 4;
constexpr uint8_t kFormatDescription = 15;
constexpr uint8_t kXid = 16;
constexpr uint8_t kHeartbeat = 27;
constexpr uint8_t kMariaGtid = 162;
constexpr size_t kFdCreateTimestampOffset = 19 + 2 + 50;  // header, binlog_version, server_version

net::ReplicaStream start_stream(const net::ReplicaStreamOptions& options, bool tls = false) {
  const SandboxServer server = primary_server();
  OptionFileSet files;
  REQUIRE(files.read(server.defaults_file, true).ok());
  auto connection_options = net::resolve_connection_options({}, files, option_groups("mzl-test", ""));
  REQUIRE(connection_options.ok());
  connection_options->read_timeout = std::chrono::seconds(30);  // a missing event fails instead of hanging
  if (tls) {
    connection_options->user = kSandboxTlsUser;
    connection_options->ssl_mode = net::SslMode::kVerifyIdentity;
    connection_options->ssl_ca = server.tls_ca.string();
  }
  auto connection = net::ServerConnection::connect(*connection_options);
  REQUIRE(connection.ok());
  CHECK(connection->tls_cipher().empty() == !tls);
  auto stream = net::ReplicaStream::start(std::move(*connection), options);
  INFO((stream.ok() ? std::string() : stream.error().to_string()));
  REQUIRE(stream.ok());
  return std::move(*stream);
}

net::ReplicaStreamOptions options_for(uint32_t server_id) {
  net::ReplicaStreamOptions options;
  options.server_id = server_id;
  return options;
}

// An event copied out of the stream (StreamEvent::data is only valid until the next call).
struct Received {
  std::vector<uint8_t> data;
  codec::EventHeader header;
  std::string file;
  uint64_t position = 0;
  bool in_file = false, artificial = false, heartbeat = false, need_ack = false;
};

Received copy_of(const net::StreamEvent& e) {
  REQUIRE(e.data.size() == e.header.event_size);
  return Received{std::vector<uint8_t>(e.data.begin(), e.data.end()),
                  e.header,
                  std::string(e.file),
                  e.position,
                  e.in_file,
                  e.artificial,
                  e.heartbeat,
                  e.need_ack};
}

Received receive(net::ReplicaStream& stream) {
  auto next = stream.next();
  INFO((next.ok() ? std::string() : next.error().to_string()));
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  return copy_of(**next);
}

// Everything until the server ends a non-blocking dump.
std::vector<Received> receive_all(net::ReplicaStream& stream) {
  std::vector<Received> events;
  for (;;) {
    auto next = stream.next();
    INFO((next.ok() ? std::string() : next.error().to_string()));
    REQUIRE(next.ok());
    if (!next->has_value()) break;
    events.push_back(copy_of(**next));
  }
  auto again = stream.next();  // the dump is over: stays over
  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
  return events;
}

struct MasterStatus {
  std::string file;
  uint64_t position = 0;
};

MasterStatus master_status(MysqlConnection& connection) {
  auto rows = connection.query("SHOW MASTER STATUS");
  REQUIRE(rows.size() == 1);
  return {rows[0].at(0), std::stoull(rows[0].at(1))};
}

// A dump from `end` (the primary's current end), past its artificial ROTATE and FORMAT_DESCRIPTION.
net::ReplicaStream stream_from(const MasterStatus& end, uint32_t server_id,
                               std::chrono::milliseconds heartbeat) {
  auto options = options_for(server_id);
  options.start_file = end.file;
  options.start_position = end.position;
  options.heartbeat_period = heartbeat;
  auto stream = start_stream(options);
  CHECK(receive(stream).header.type_code == kRotate);
  CHECK(receive(stream).header.type_code == kFormatDescription);
  return stream;
}

class BinlogFiles {
 public:
  // The server's bytes of `size` at `position` of `file`, as the dump sends them: a FORMAT_DESCRIPTION with
  // LOG_EVENT_BINLOG_IN_USE_F clear (DESIGN.md; sql_repl.cc send_format_descriptor_event).
  std::vector<uint8_t> event_at(const std::string& file, uint64_t position, size_t size) {
    auto it = files_.find(file);
    if (it == files_.end()) it = files_.emplace(file, read_file(primary_binlog_dir() / file)).first;
    const std::vector<uint8_t>& bytes = it->second;
    INFO(file << " has " << bytes.size() << " bytes, the event is at " << position << " size " << size);
    REQUIRE(position + size <= bytes.size());
    std::vector<uint8_t> out(bytes.begin() + static_cast<std::ptrdiff_t>(position),
                             bytes.begin() + static_cast<std::ptrdiff_t>(position + size));
    if (out[4] == kFormatDescription) out[17] &= static_cast<uint8_t>(~0x01);
    return out;
  }
  uint64_t size_of(const std::string& file) {
    return std::filesystem::file_size(primary_binlog_dir() / file);
  }

 private:
  std::map<std::string, std::vector<uint8_t>> files_;
};

void check_same_as_server(BinlogFiles& files, const Received& e) {
  INFO(e.file << " at " << e.position << " type " << int(e.header.type_code));
  CHECK(e.data == files.event_at(e.file, e.position, e.data.size()));
}

std::string maria_gtid_of(const Received& e) {
  REQUIRE(e.header.type_code == kMariaGtid);
  ByteReader body(Bytes(e.data).subspan(19));
  const uint64_t seq_no = body.u64le();
  const uint32_t domain = body.u32le();
  REQUIRE(body.ok());
  return fmt::format("{}-{}-{}", domain, e.header.server_id, seq_no);
}

std::string rotate_target(const Received& e) {
  REQUIRE(e.header.type_code == kRotate);
  const size_t checksum = e.data.size() >= 19 + 8 + 4 ? 4 : 0;
  return std::string(e.data.begin() + 19 + 8, e.data.end() - static_cast<std::ptrdiff_t>(checksum));
}

// Restores global variables at scope exit, whether the test passed or not.
class GlobalsGuard {
 public:
  GlobalsGuard(std::vector<std::string> names) {
    MysqlConnection c = connect(primary_server());
    for (auto& name : names) saved_.emplace_back(name, c.scalar("SELECT @@global." + name));
  }
  ~GlobalsGuard() {
    std::string error;
    auto c = MysqlConnection::try_connect(primary_server().defaults_file, &error);
    if (!c) return;
    for (auto& [name, value] : saved_) {
      const std::string sql = fmt::format("SET GLOBAL {} = {}", name, value);
      mysql_real_query(c->handle(), sql.data(), sql.size());
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> saved_;
};

void write_some_rows(MysqlConnection& c, const std::string& table, int rows) {
  c.query("CREATE DATABASE IF NOT EXISTS mzl_stream");
  c.query(fmt::format(
      "CREATE TABLE IF NOT EXISTS mzl_stream.{} (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(100))", table));
  for (int i = 0; i < rows; ++i)
    c.query(fmt::format("INSERT INTO mzl_stream.{} (v) VALUES ('row {}')", table, i));
}

TEST_CASE("replica stream: from the oldest binlog by file and position, events equal the server's files",
          "[net][stream]") {
  MysqlConnection c = connect(primary_server());
  write_some_rows(c, "by_file", 3);
  flush_binary_logs();
  write_some_rows(c, "by_file", 3);
  const std::vector<Row> binlogs = c.query("SHOW BINARY LOGS");
  REQUIRE(binlogs.size() >= 2);

  auto options = options_for(9101);
  options.non_blocking = true;  // start_file empty: the oldest file
  auto stream = start_stream(options);
  CHECK(stream.is_mariadb());
  CHECK(stream.master_server_id() == 1);
  CHECK(stream.server_uuid().empty());
  CHECK(stream.negotiated_checksum() == codec::ChecksumAlg::kCrc32);
  const std::vector<Received> events = receive_all(stream);
  const MasterStatus end = master_status(c);

  REQUIRE(events.size() > 10);
  // The dump starts with an artificial ROTATE to the oldest file, then that file's FORMAT_DESCRIPTION.
  CHECK(events[0].header.type_code == kRotate);
  CHECK(events[0].artificial);
  CHECK(rotate_target(events[0]) == binlogs.front().at(0));
  CHECK(events[1].header.type_code == kFormatDescription);
  CHECK(events[1].in_file);
  CHECK(events[1].position == 4);

  // Every in-file event is the server's, and together they tile each file from 4 to its end exactly once.
  BinlogFiles files;
  std::map<std::string, uint64_t> next_offset;
  std::vector<std::string> files_seen;
  for (const auto& e : events) {
    CHECK_FALSE(e.heartbeat);
    if (!e.in_file) continue;
    if (!next_offset.count(e.file)) {
      files_seen.push_back(e.file);
      next_offset[e.file] = 4;
    }
    INFO(e.file << " at " << e.position);
    CHECK(e.position == next_offset[e.file]);
    next_offset[e.file] = e.position + e.data.size();
    check_same_as_server(files, e);
  }
  REQUIRE(files_seen.size() == binlogs.size());
  for (size_t i = 0; i < binlogs.size(); ++i) {
    CHECK(files_seen[i] == binlogs[i].at(0));
    CHECK(next_offset[files_seen[i]] == files.size_of(files_seen[i]));
  }
  CHECK(stream.current_file() == end.file);
  CHECK(stream.current_position() == end.position);
  CHECK(stream.format().checksum_alg == codec::ChecksumAlg::kCrc32);
}

TEST_CASE("replica stream: from a GTID position, exactly the later transactions", "[net][stream]") {
  MysqlConnection c = connect(primary_server());
  write_some_rows(c, "by_gtid", 2);
  const std::string start = c.scalar("SELECT @@global.gtid_binlog_pos");
  std::vector<std::string> expected;
  for (int i = 0; i < 4; ++i) {
    c.query(fmt::format("INSERT INTO mzl_stream.by_gtid (v) VALUES ('after {}')", i));
    expected.push_back(c.scalar("SELECT @@last_gtid"));
  }

  auto options = options_for(9102);
  options.start_gtid = start;
  options.non_blocking = true;
  auto stream = start_stream(options);
  const std::vector<Received> events = receive_all(stream);

  REQUIRE(events.size() > 4);
  CHECK(events[0].header.type_code == kRotate);
  CHECK(events[0].artificial);
  BinlogFiles files;
  std::vector<std::string> gtids;
  for (const auto& e : events) {
    if (e.header.type_code == kMariaGtid) gtids.push_back(maria_gtid_of(e));
    if (!e.in_file) continue;
    if (e.header.type_code == kFormatDescription) {
      // Before the requested position is reached the server zeroes create_timestamp and recomputes the
      // CRC32 (sql_repl.cc send_format_descriptor_event); everything else is the file's.
      auto server = files.event_at(e.file, e.position, e.data.size());
      auto got = e.data;
      for (size_t i = 0; i < 4; ++i) {
        server[kFdCreateTimestampOffset + i] = got[kFdCreateTimestampOffset + i] = 0;
        server[server.size() - 4 + i] = got[got.size() - 4 + i] = 0;
      }
      CHECK(got == server);
    } else {
      check_same_as_server(files, e);
    }
  }
  CHECK(gtids == expected);
  CHECK(stream.current_position() == master_status(c).position);
}

TEST_CASE("replica stream: ROTATE and FORMAT_DESCRIPTION across FLUSH BINARY LOGS", "[net][stream]") {
  MysqlConnection c = connect(primary_server());
  write_some_rows(c, "rotation", 1);
  const MasterStatus before = master_status(c);

  auto options = options_for(9103);
  options.start_file = before.file;
  options.start_position = before.position;
  auto stream = start_stream(options);
  Received first = receive(stream);
  CHECK(first.header.type_code == kRotate);
  CHECK(first.artificial);
  CHECK(rotate_target(first) == before.file);
  CHECK(stream.current_file() == before.file);
  CHECK(stream.current_position() == before.position);
  // Started past position 4: the FORMAT_DESCRIPTION is a copy with log_pos 0, not the next event.
  Received fd = receive(stream);
  CHECK(fd.header.type_code == kFormatDescription);
  CHECK(fd.header.log_pos == 0);
  CHECK_FALSE(fd.in_file);
  CHECK(stream.current_position() == before.position);

  c.query("INSERT INTO mzl_stream.rotation (v) VALUES ('before flush')");
  const std::string new_file = flush_binary_logs();
  REQUIRE(new_file != before.file);
  c.query("INSERT INTO mzl_stream.rotation (v) VALUES ('after flush')");
  const MasterStatus after = master_status(c);

  BinlogFiles files;
  uint64_t expected_position = before.position;
  // The old file's events up to and including its real ROTATE.
  for (;;) {
    Received e = receive(stream);
    REQUIRE(e.in_file);
    CHECK(e.file == before.file);
    CHECK(e.position == expected_position);
    expected_position += e.data.size();
    check_same_as_server(files, e);
    if (e.header.type_code == kRotate) {
      CHECK(rotate_target(e) == new_file);
      break;
    }
  }
  CHECK(expected_position == files.size_of(before.file));
  CHECK(stream.current_file() == new_file);
  CHECK(stream.current_position() == 4);
  // Then the artificial ROTATE to the new file and its FORMAT_DESCRIPTION at 4.
  Received fake = receive(stream);
  CHECK(fake.header.type_code == kRotate);
  CHECK(fake.artificial);
  CHECK(rotate_target(fake) == new_file);
  Received new_fd = receive(stream);
  CHECK(new_fd.header.type_code == kFormatDescription);
  CHECK(new_fd.in_file);
  CHECK(new_fd.file == new_file);
  CHECK(new_fd.position == 4);
  check_same_as_server(files, new_fd);
  // The new file's events through the second insert's XID.
  expected_position = 4 + new_fd.data.size();
  while (stream.current_position() < after.position) {
    Received e = receive(stream);
    REQUIRE(e.in_file);
    CHECK(e.file == new_file);
    CHECK(e.position == expected_position);
    expected_position += e.data.size();
    check_same_as_server(files, e);
  }
  CHECK(stream.current_file() == after.file);
  CHECK(stream.current_position() == after.position);
}

TEST_CASE("replica stream: heartbeats arrive when the primary is idle", "[net][stream]") {
  MysqlConnection c = connect(primary_server());
  const MasterStatus end = master_status(c);
  auto stream = stream_from(end, 9104, std::chrono::milliseconds(200));

  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    Received hb = receive(stream);
    CHECK(hb.heartbeat);
    CHECK(hb.header.type_code == kHeartbeat);
    CHECK_FALSE(hb.in_file);
    CHECK(hb.header.log_pos == end.position);
    // Body: the server's file name (then the CRC32).
    CHECK(std::string(hb.data.begin() + 19, hb.data.end() - 4) == end.file);
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  // Registered under our server id and report host (COM_REGISTER_SLAVE).
  bool listed = false;
  for (const Row& row : c.query("SHOW SLAVE HOSTS")) {
    if (row.at(0) == "9104") {
      listed = true;
      CHECK(row.at(1) == "mzl");
      CHECK(row.at(3) == "1");  // Master_id: the primary's server id
    }
  }
  CHECK(listed);
  CHECK(elapsed < std::chrono::seconds(5));
  CHECK(elapsed >= std::chrono::milliseconds(400));
  CHECK(stream.current_file() == end.file);
  CHECK(stream.current_position() == end.position);
}

TEST_CASE("replica stream: a purged GTID or a missing file is kNotFound", "[net][stream]") {
  MysqlConnection c = connect(primary_server());
  write_some_rows(c, "purged", 2);
  const std::string old_gtid = c.scalar("SELECT @@last_gtid");  // d-s-n, with n >= 2
  write_some_rows(c, "purged", 1);
  const std::string current = flush_binary_logs();
  write_some_rows(c, "purged", 1);
  wait_replica_caught_up(2);
  wait_replica_caught_up(3);
  c.query(fmt::format("PURGE BINARY LOGS TO '{}'", current));
  REQUIRE(c.query("SHOW BINARY LOGS").front().at(0) == current);

  // A position one transaction before old_gtid: the next transaction it needs was in a purged file.
  const auto dash = old_gtid.rfind('-');
  const std::string older =
      old_gtid.substr(0, dash + 1) + std::to_string(std::stoull(old_gtid.substr(dash + 1)) - 1);
  auto options = options_for(9105);
  options.start_gtid = older;
  auto stream = start_stream(options);
  auto first = stream.next();
  REQUIRE_FALSE(first.ok());
  INFO(first.error().to_string());
  CHECK(first.error().code == ErrorCode::kNotFound);
  CHECK(exit_code_for(first.error()) == kExitProblem);
  CHECK_THAT(first.error().message, Catch::Contains("no longer has"));
  CHECK_THAT(first.error().message, Catch::Contains(older));
  auto again = stream.next();
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kNotFound);

  auto by_file = options_for(9106);
  by_file.start_file = "mariadb-bin.999999";
  auto missing = start_stream(by_file);
  auto answer = missing.next();
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().code == ErrorCode::kNotFound);
  CHECK_THAT(answer.error().message, Catch::Contains("mariadb-bin.999999"));
}

uint64_t status_value(MysqlConnection& c, const std::string& name) {
  auto rows = c.query(fmt::format("SHOW GLOBAL STATUS LIKE '{}'", name));
  REQUIRE(rows.size() == 1);
  return std::stoull(rows[0].at(1));
}

TEST_CASE("replica stream: semi-sync events ask for an ACK and the primary counts ack()", "[net][stream]") {
  GlobalsGuard guard({"rpl_semi_sync_master_enabled", "rpl_semi_sync_master_timeout"});
  MysqlConnection c = connect(primary_server());
  write_some_rows(c, "semisync", 1);
  c.query("SET GLOBAL rpl_semi_sync_master_timeout = 60000");
  c.query("SET GLOBAL rpl_semi_sync_master_enabled = 1");
  const MasterStatus start = master_status(c);

  {
    auto options = options_for(9107);
    options.start_file = start.file;
    options.start_position = start.position;
    options.semi_sync = true;
    auto stream = start_stream(options);
    CHECK(receive(stream).header.type_code == kRotate);
    CHECK(stream.semi_sync_active());
    CHECK(receive(stream).header.type_code == kFormatDescription);

    const uint64_t yes_before = status_value(c, "Rpl_semi_sync_master_yes_tx");
    const uint64_t no_before = status_value(c, "Rpl_semi_sync_master_no_tx");
    // The COMMIT cannot return before our ACK: send it, take the transaction from the stream, ACK it, and
    // only then read the client's answer.
    MysqlConnection writer = connect(primary_server());
    const std::string insert = "INSERT INTO mzl_stream.semisync (v) VALUES ('acked')";
    const auto sent_at = std::chrono::steady_clock::now();
    REQUIRE(mysql_send_query(writer.handle(), insert.data(), insert.size()) == 0);
    Received e;
    net::StreamEvent view;  // the stream's own view of the event, kept across the ACK
    do {
      auto next = stream.next();
      REQUIRE(next.ok());
      REQUIRE(next->has_value());
      view = **next;
      e = copy_of(view);
      REQUIRE_FALSE(e.heartbeat);
    } while (!e.need_ack);
    CHECK(e.header.type_code == kXid);
    CHECK(stream.current_position() == e.header.log_pos);
    // The writer's COMMIT is waiting for us.
    uint64_t waiting = 0;
    for (int i = 0; i < 100 && waiting == 0; ++i) {
      waiting = status_value(c, "Rpl_semi_sync_master_wait_sessions");
      if (waiting == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(waiting == 1);
    REQUIRE(stream.ack(stream.current_file(), stream.current_position()).ok());
    // The ACK leaves the event's data alone (the stream reads into a buffer of its own).
    CHECK(std::vector<uint8_t>(view.data.begin(), view.data.end()) == e.data);
    REQUIRE(mysql_read_query_result(writer.handle()) == 0);
    CHECK(std::chrono::steady_clock::now() - sent_at < std::chrono::seconds(30));
    CHECK(status_value(c, "Rpl_semi_sync_master_yes_tx") == yes_before + 1);
    CHECK(status_value(c, "Rpl_semi_sync_master_no_tx") == no_before);
  }
  // Semi-sync off again before the next commit (the guard restores the rest).
  c.query("SET GLOBAL rpl_semi_sync_master_enabled = 0");
}

TEST_CASE("replica stream: ack() needs a semi-sync stream", "[net][stream]") {
  auto stream = start_stream(options_for(9108));
  CHECK(receive(stream).header.type_code == kRotate);
  CHECK_FALSE(stream.semi_sync_active());
  auto refused = stream.ack(stream.current_file(), 4);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("replica stream: a dropped connection is kNetwork", "[net][stream]") {
  MysqlConnection c = connect(primary_server());
  const MasterStatus end = master_status(c);
  auto stream = stream_from(end, 9110, std::chrono::milliseconds(0));
  REQUIRE(stream.connection_id() != 0);
  c.query(fmt::format("KILL CONNECTION {}", stream.connection_id()));
  auto lost = stream.next();
  REQUIRE_FALSE(lost.ok());
  INFO(lost.error().to_string());
  CHECK(lost.error().code == ErrorCode::kNetwork);
  CHECK(exit_code_for(lost.error()) == kExitServer);
  CHECK_THAT(lost.error().where, Catch::Contains(end.file));
  auto again = stream.next();
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kNetwork);
  CHECK(stream.ack(end.file, end.position).error().code == ErrorCode::kNetwork);
}

TEST_CASE("replica stream: wait_readable sees what the connector and TLS already buffered", "[net][stream]") {
  MysqlConnection c = connect(primary_server());
  write_some_rows(c, "readable", 20);
  const MasterStatus end = master_status(c);
  for (bool tls : {false, true}) {
    INFO((tls ? "TLS" : "plain TCP"));
    // A blocking dump from the oldest file: the server sends its whole binlog at once and then waits, so
    // the last events sit in the connector's (or OpenSSL's) buffers with nothing left on the socket.
    auto options = options_for(9111);
    options.heartbeat_period = std::chrono::milliseconds(0);
    auto stream = start_stream(options, tls);
    size_t events = 0;
    auto longest = std::chrono::steady_clock::duration::zero();
    while (stream.current_file() != end.file || stream.current_position() != end.position) {
      const auto asked = std::chrono::steady_clock::now();
      auto readable = stream.wait_readable(std::chrono::milliseconds(3000));
      longest = std::max(longest, std::chrono::steady_clock::now() - asked);
      REQUIRE(readable.ok());
      REQUIRE(*readable);
      receive(stream);
      ++events;
    }
    CHECK(events > 20 * 4);
    CHECK(longest < std::chrono::milliseconds(2000));
    auto idle = stream.wait_readable(std::chrono::milliseconds(200));
    REQUIRE(idle.ok());
    CHECK_FALSE(*idle);
  }
}

TEST_CASE("replica stream: wait_readable times out when idle and wakes up on a commit", "[net][stream]") {
  MysqlConnection c = connect(primary_server());
  write_some_rows(c, "readable", 1);
  const MasterStatus end = master_status(c);
  auto stream = stream_from(end, 9112, std::chrono::milliseconds(0));

  const auto asked = std::chrono::steady_clock::now();
  auto idle = stream.wait_readable(std::chrono::milliseconds(300));
  REQUIRE(idle.ok());
  CHECK_FALSE(*idle);
  CHECK(std::chrono::steady_clock::now() - asked >= std::chrono::milliseconds(250));

  c.query("INSERT INTO mzl_stream.readable (v) VALUES ('wake up')");
  auto woken = stream.wait_readable(std::chrono::milliseconds(5000));
  REQUIRE(woken.ok());
  CHECK(*woken);
  CHECK(receive(stream).header.type_code == kMariaGtid);
}

TEST_CASE("replica stream: an event larger than 16 MB streams intact", "[net][stream]") {
  GlobalsGuard guard({"max_allowed_packet"});
  {
    MysqlConnection admin = connect(primary_server());
    admin.query("SET GLOBAL max_allowed_packet = 64 * 1024 * 1024");
  }
  MysqlConnection c = connect(primary_server());  // a new session takes the new max_allowed_packet
  c.query("CREATE DATABASE IF NOT EXISTS mzl_stream");
  c.query("CREATE TABLE IF NOT EXISTS mzl_stream.big (id INT PRIMARY KEY, b LONGBLOB)");
  const MasterStatus before = master_status(c);
  constexpr size_t kBlob = 20 * 1024 * 1024;
  c.query(fmt::format("INSERT INTO mzl_stream.big VALUES (1, REPEAT('x', {}))", kBlob));
  const MasterStatus after = master_status(c);
  REQUIRE(after.file == before.file);

  auto options = options_for(9109);
  options.start_file = before.file;
  options.start_position = before.position;
  options.non_blocking = true;
  auto stream = start_stream(options);
  const std::vector<Received> events = receive_all(stream);
  BinlogFiles files;
  size_t largest = 0;
  for (const auto& e : events) {
    if (!e.in_file) continue;
    largest = std::max(largest, e.data.size());
    check_same_as_server(files, e);
  }
  CHECK(largest > kBlob);
  CHECK(largest > 0xFFFFFF);
  CHECK(stream.current_position() == after.position);
  c.query("DROP TABLE mzl_stream.big");
}

}  // namespace
}  // namespace mzl::test
