// The replication protocol's packets, byte by byte. Expected bytes are written out by hand from the layouts
// in the protocol documentation (MySQL page_protocol_com_register_slave, page_protocol_com_binlog_dump,
// page_protocol_com_binlog_dump_gtid, MariaDB KB com_binlog_dump and semi-sync-replication), not produced by
// the encoders.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "mzl/net/replica_flavour.h"
#include "mzl/net/replica_protocol.h"

namespace mzl::net {
namespace {

std::vector<uint8_t> bytes_of(std::initializer_list<int> values) {
  std::vector<uint8_t> out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}

void append(std::vector<uint8_t>& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

void append(std::vector<uint8_t>& out, const std::vector<uint8_t>& more) {
  out.insert(out.end(), more.begin(), more.end());
}

// A 19-byte v4 event header (timestamp, type, server_id, event_size, log_pos, flags), little-endian.
std::vector<uint8_t> event_header(uint8_t type, uint32_t size, uint32_t log_pos, uint16_t flags = 0) {
  std::vector<uint8_t> out = {0, 0, 0, 0, type, 1, 0, 0, 0};
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(size >> (8 * i)));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(log_pos >> (8 * i)));
  out.push_back(static_cast<uint8_t>(flags));
  out.push_back(static_cast<uint8_t>(flags >> 8));
  return out;
}

TEST_CASE("replica protocol: COM_REGISTER_SLAVE", "[net]") {
  RegisterReplicaRequest request;
  request.server_id = 101;
  request.host = "mzl";
  request.port = 3306;
  auto packet = encode_register_slave(request);
  REQUIRE(packet.ok());
  std::vector<uint8_t> expected = bytes_of({0x15, 0x65, 0x00, 0x00, 0x00, 0x03});
  append(expected, "mzl");
  append(expected, bytes_of({0x00,                       // user length
                             0x00,                       // password length
                             0xEA, 0x0C,                 // port 3306
                             0x00, 0x00, 0x00, 0x00,     // replication rank
                             0x00, 0x00, 0x00, 0x00}));  // master id
  CHECK(*packet == expected);

  request.user = "repl";
  request.password = "pw";
  request.master_id = 7;
  auto with_auth = encode_register_slave(request);
  REQUIRE(with_auth.ok());
  expected = bytes_of({0x15, 0x65, 0x00, 0x00, 0x00, 0x03});
  append(expected, "mzl");
  expected.push_back(4);
  append(expected, "repl");
  expected.push_back(2);
  append(expected, "pw");
  append(expected, bytes_of({0xEA, 0x0C, 0, 0, 0, 0, 0x07, 0, 0, 0}));
  CHECK(*with_auth == expected);

  request.host = std::string(kMaxReportedHostLength + 1, 'h');
  auto too_long = encode_register_slave(request);
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("replica protocol: COM_BINLOG_DUMP", "[net]") {
  auto packet = encode_binlog_dump(101, kDumpSendAnnotateRows, "mariadb-bin.000001", 4);
  REQUIRE(packet.ok());
  std::vector<uint8_t> expected = bytes_of({0x12,                      // command
                                            0x04, 0x00, 0x00, 0x00,    // position 4
                                            0x02, 0x00,                // flags: annotate rows
                                            0x65, 0x00, 0x00, 0x00});  // server id 101
  append(expected, "mariadb-bin.000001");
  CHECK(*packet == expected);

  auto far = encode_binlog_dump(7, kDumpNonBlock, "b.000002", 0x89ABCDEF);
  REQUIRE(far.ok());
  expected = bytes_of({0x12, 0xEF, 0xCD, 0xAB, 0x89, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00});
  append(expected, "b.000002");
  CHECK(*far == expected);

  // The oldest file: an empty name.
  auto oldest = encode_binlog_dump(7, 0, "", 4);
  REQUIRE(oldest.ok());
  CHECK(*oldest == bytes_of({0x12, 0x04, 0, 0, 0, 0, 0, 0x07, 0, 0, 0}));

  auto too_far = encode_binlog_dump(7, 0, "b.000002", uint64_t{1} << 32);
  REQUIRE_FALSE(too_far.ok());
  CHECK(too_far.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("replica protocol: COM_BINLOG_DUMP_GTID with an encoded GTID set", "[net]") {
  auto data = encode_gtid_set_for_dump("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5");
  REQUIRE(data.ok());
  const std::vector<uint8_t> expected_data = bytes_of({
      0x01, 0,    0,    0,    0,    0,    0,    0,  // n_sids
      0x3E, 0x11, 0xFA, 0x47, 0x71, 0xCA, 0x11, 0xE1, 0x9E, 0x33, 0xC8, 0x0A, 0xA9, 0x42, 0x95, 0x62,  // sid
      0x01, 0,    0,    0,    0,    0,    0,    0,  // n_intervals
      0x01, 0,    0,    0,    0,    0,    0,    0,  // start 1
      0x06, 0,    0,    0,    0,    0,    0,    0,  // end 6 (exclusive)
  });
  CHECK(*data == expected_data);

  const auto packet = encode_binlog_dump_gtid(101, kDumpThroughGtid, "", 4, *data);
  std::vector<uint8_t> expected = bytes_of({0x1E,                                // command
                                            0x04, 0x00,                          // flags: through GTID
                                            0x65, 0x00, 0x00, 0x00,              // server id
                                            0x00, 0x00, 0x00, 0x00,              // file name length
                                            0x04, 0,    0,    0,    0, 0, 0, 0,  // position 4
                                            0x30, 0x00, 0x00, 0x00});            // data size 48
  append(expected, expected_data);
  CHECK(packet == expected);

  // With a file name and no GTID set (the data is left out without kDumpThroughGtid).
  const auto by_position = encode_binlog_dump_gtid(9, kDumpThroughPosition, "binlog.000003", 0x100000000, {});
  expected = bytes_of({0x1E, 0x02, 0x00, 0x09, 0, 0, 0, 0x0D, 0, 0, 0});
  append(expected, "binlog.000003");
  append(expected, bytes_of({0, 0, 0, 0, 0x01, 0, 0, 0}));
  CHECK(by_position == expected);
}

TEST_CASE("replica protocol: GTID sets for the dump are sorted by UUID, intervals ascending", "[net]") {
  auto data = encode_gtid_set_for_dump(
      "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb:5:1-3, aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:7");
  REQUIRE(data.ok());
  std::vector<uint8_t> expected = bytes_of({0x02, 0, 0, 0, 0, 0, 0, 0});
  append(expected, std::vector<uint8_t>(16, 0xAA));
  append(expected,
         bytes_of({0x01, 0, 0, 0, 0, 0, 0, 0, 0x07, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0}));
  append(expected, std::vector<uint8_t>(16, 0xBB));
  append(expected, bytes_of({0x02, 0, 0, 0, 0, 0, 0, 0,     // two intervals
                             0x01, 0, 0, 0, 0, 0, 0, 0,     // 1 ..
                             0x04, 0, 0, 0, 0, 0, 0, 0,     // .. 3
                             0x05, 0, 0, 0, 0, 0, 0, 0,     // 5 ..
                             0x06, 0, 0, 0, 0, 0, 0, 0}));  // .. 5
  CHECK(*data == expected);

  // The empty set: no SIDs.
  auto empty = encode_gtid_set_for_dump("");
  REQUIRE(empty.ok());
  CHECK(*empty == bytes_of({0, 0, 0, 0, 0, 0, 0, 0}));

  // MySQL 8.4 tagged GTIDs use the tagged encoding: the first word is (1 << 56) | (n_sids << 8) | 1.
  auto tagged = encode_gtid_set_for_dump("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:backup:1");
  REQUIRE(tagged.ok());
  REQUIRE(tagged->size() > 24);
  CHECK(std::vector<uint8_t>(tagged->begin(), tagged->begin() + 8) ==
        bytes_of({0x01, 0x01, 0, 0, 0, 0, 0, 0x01}));

  auto bad = encode_gtid_set_for_dump("not-a-uuid:1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("replica protocol: semi-sync ACK", "[net]") {
  const auto packet = encode_semi_sync_ack("mariadb-bin.000002", 1234);
  std::vector<uint8_t> expected = bytes_of({0xEF, 0xD2, 0x04, 0, 0, 0, 0, 0, 0});
  append(expected, "mariadb-bin.000002");
  CHECK(packet == expected);
}

TEST_CASE("replica protocol: stream packets", "[net]") {
  SECTION("an event") {
    std::vector<uint8_t> packet = {0x00};
    append(packet, event_header(16, 19, 500));
    auto parsed = parse_stream_packet(packet, false);
    REQUIRE(parsed.ok());
    CHECK_FALSE(parsed->end_of_stream);
    CHECK_FALSE(parsed->need_ack);
    CHECK(parsed->event.size() == 19);
    CHECK(parsed->event.data() == packet.data() + 1);
    CHECK(parsed->header.type_code == 16);  // the header, read once for the cursor and frame_event()
    CHECK(parsed->header.event_size == 19);
    CHECK(parsed->header.log_pos == 500);
  }
  SECTION("an event behind the semi-sync header") {
    std::vector<uint8_t> packet = {0x00, 0xEF, 0x01};
    append(packet, event_header(16, 19, 500));
    auto parsed = parse_stream_packet(packet, true);
    REQUIRE(parsed.ok());
    CHECK(parsed->need_ack);
    CHECK(parsed->event.data() == packet.data() + 3);
    packet[2] = 0x00;
    auto no_ack = parse_stream_packet(packet, true);
    REQUIRE(no_ack.ok());
    CHECK_FALSE(no_ack->need_ack);
    packet[1] = 0x00;  // no indicator where one was expected
    auto missing = parse_stream_packet(packet, true);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::kCorrupt);
  }
  SECTION("the end of the dump") {
    auto eof = parse_stream_packet(bytes_of({0xFE, 0x00, 0x00, 0x02, 0x00}), false);
    REQUIRE(eof.ok());
    CHECK(eof->end_of_stream);
    auto bare = parse_stream_packet(bytes_of({0xFE}), true);
    REQUIRE(bare.ok());
    CHECK(bare->end_of_stream);
  }
  SECTION("an error packet: 1236 is kNotFound") {
    std::vector<uint8_t> packet = bytes_of({0xFF, 0xD4, 0x04});
    append(packet, "#HY000Could not find first log file name in binary log index file");
    auto parsed = parse_stream_packet(packet, false);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::kNotFound);
    CHECK_THAT(parsed.error().message, Catch::Contains("no longer has"));
    CHECK_THAT(parsed.error().message, Catch::Contains("Could not find first log file name"));
    CHECK_THAT(parsed.error().message, Catch::Contains("1236"));

    std::vector<uint8_t> other = bytes_of({0xFF, 0x15, 0x04});  // 1045, access denied, no SQLSTATE
    append(other, "Access denied");
    auto denied = parse_stream_packet(other, false);
    REQUIRE_FALSE(denied.ok());
    CHECK(denied.error().code == ErrorCode::kAuth);
  }
  SECTION("broken packets are kCorrupt") {
    CHECK(parse_stream_packet({}, false).error().code == ErrorCode::kCorrupt);
    std::vector<uint8_t> unknown = {0x01};
    append(unknown, event_header(16, 19, 500));
    CHECK(parse_stream_packet(unknown, false).error().code == ErrorCode::kCorrupt);
    std::vector<uint8_t> short_event = {0x00};
    append(short_event, event_header(16, 19, 500));
    short_event.pop_back();
    CHECK(parse_stream_packet(short_event, false).error().code == ErrorCode::kCorrupt);
    std::vector<uint8_t> size_mismatch = {0x00};
    append(size_mismatch, event_header(16, 23, 500));  // says 23 bytes, holds 19
    CHECK(parse_stream_packet(size_mismatch, false).error().code == ErrorCode::kCorrupt);
  }
}

bool has_statement(const std::vector<std::string>& statements, const std::string& wanted) {
  return std::find(statements.begin(), statements.end(), wanted) != statements.end();
}

TEST_CASE("replica flavour: MariaDB session and dump", "[net]") {
  const auto flavour = replica_flavour_for(codec::Flavour::kMariaDB);
  ReplicaStreamOptions options;
  options.server_id = 4242;
  options.start_gtid = " 1-2-5 ,0-1-100";
  options.heartbeat_period = std::chrono::milliseconds(1500);
  options.semi_sync = true;
  auto statements = flavour->session_statements(options);
  REQUIRE(statements.ok());
  CHECK(has_statement(*statements, "SET @mariadb_slave_capability = 4"));
  CHECK(has_statement(*statements, "SET @master_binlog_checksum = @@global.binlog_checksum"));
  CHECK(has_statement(*statements, "SET @master_heartbeat_period = 1500000000"));
  CHECK(has_statement(*statements, "SET @slave_connect_state = '0-1-100,1-2-5'"));
  CHECK(has_statement(*statements, "SET @slave_gtid_strict_mode = 1"));
  CHECK(has_statement(*statements, "SET @slave_gtid_ignore_duplicates = 0"));
  CHECK(has_statement(*statements, "SET @rpl_semi_sync_slave = 1"));

  // By GTID: COM_BINLOG_DUMP with no file, position 4, asking for ANNOTATE_ROWS.
  auto packet = flavour->dump_packet(options);
  REQUIRE(packet.ok());
  CHECK(*packet == bytes_of({0x12, 0x04, 0, 0, 0, 0x02, 0x00, 0x92, 0x10, 0, 0}));

  options.start_gtid = "0-1-100'; DROP TABLE t; --";
  auto injected = flavour->session_statements(options);
  REQUIRE_FALSE(injected.ok());
  CHECK(injected.error().code == ErrorCode::kInvalidArgument);

  options.start_gtid.clear();
  options.start_file = "mariadb-bin.000003";
  options.start_position = 256;
  options.non_blocking = true;
  options.semi_sync = false;
  auto by_file = flavour->session_statements(options);
  REQUIRE(by_file.ok());
  for (const auto& s : *by_file) {
    CHECK(s.find("slave_connect_state") == std::string::npos);
    CHECK(s.find("semi_sync") == std::string::npos);
  }
  auto file_packet = flavour->dump_packet(options);
  REQUIRE(file_packet.ok());
  std::vector<uint8_t> expected = bytes_of({0x12, 0x00, 0x01, 0, 0, 0x03, 0x00, 0x92, 0x10, 0, 0});
  append(expected, "mariadb-bin.000003");
  CHECK(*file_packet == expected);
}

TEST_CASE("replica flavour: MySQL session and dump", "[net]") {
  const auto flavour = replica_flavour_for(codec::Flavour::kMySQL);
  ReplicaStreamOptions options;
  options.server_id = 5;
  options.start_gtid = "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5";
  options.semi_sync = true;
  auto statements = flavour->session_statements(options);
  REQUIRE(statements.ok());
  CHECK(has_statement(*statements,
                      "SET @master_binlog_checksum = @@global.binlog_checksum, "
                      "@source_binlog_checksum = @@global.binlog_checksum"));
  CHECK(has_statement(*statements,
                      "SET @master_heartbeat_period = 1000000000, "
                      "@source_heartbeat_period = 1000000000"));
  CHECK(has_statement(*statements, "SET @rpl_semi_sync_slave = 1, @rpl_semi_sync_replica = 1"));

  auto packet = flavour->dump_packet(options);
  REQUIRE(packet.ok());
  REQUIRE(packet->size() == 23 + 48);
  CHECK(std::vector<uint8_t>(packet->begin(), packet->begin() + 23) ==
        bytes_of({0x1E, 0x04, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0x30, 0, 0, 0}));

  options.start_gtid = "garbage";
  CHECK(flavour->session_statements(options).error().code == ErrorCode::kInvalidArgument);
  CHECK(flavour->dump_packet(options).error().code == ErrorCode::kInvalidArgument);

  options.start_gtid.clear();
  options.start_file = "binlog.000001";
  auto by_file = flavour->dump_packet(options);
  REQUIRE(by_file.ok());
  std::vector<uint8_t> expected = bytes_of({0x12, 0x04, 0, 0, 0, 0x00, 0x00, 0x05, 0, 0, 0});
  append(expected, "binlog.000001");
  CHECK(*by_file == expected);
}

}  // namespace
}  // namespace mzl::net
