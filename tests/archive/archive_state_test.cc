#include <catch2/catch.hpp>

#include "mzl/archive/archive_state.h"

using namespace mzl;
using namespace mzl::archive;

TEST_CASE("archive state: encode and decode round-trip") {
  ArchiveState state;
  state.source = "db1_3306";
  state.server = ServerIdentity{"3e11fa47-71ca-11e1-9e33-c80aa9429562", 7, "mysql", "8.0.40"};
  state.current_file = "binlog.000003";
  state.durable_position = 123456789012ULL;
  state.gtid_position = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100";
  state.current_crc32 = 0xDEADBEEF;
  state.current_first_gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:90";
  state.current_last_gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:100";
  state.closed_files.push_back(ClosedFileInfo{"binlog.000001", 1000, 1, "", ""});
  state.closed_files.push_back(ClosedFileInfo{"binlog.000002", 2000, 0xFFFFFFFF, "a\"b\\c", "tab\there"});
  std::string json = encode_archive_state(state);
  CHECK(json.ends_with("\n"));
  auto decoded = decode_archive_state(json, "state.json");
  REQUIRE(decoded.ok());
  CHECK(*decoded == state);
}

TEST_CASE("archive state: unknown keys are ignored, missing ones keep defaults") {
  auto decoded = decode_archive_state(
      R"({"format":1,"future":{"x":[1,2,{"y":null}]},"current_file":"mariadb-bin.000001","flag":true})", "s");
  REQUIRE(decoded.ok());
  CHECK(decoded->current_file == "mariadb-bin.000001");
  CHECK(decoded->durable_position == 0);
  CHECK(decoded->closed_files.empty());
}

TEST_CASE("archive state: bad input is kCorrupt naming the file") {
  for (const char* text :
       {"", "{", "[]", R"({"format":2})", R"({"current_file":"x"})",
        R"({"format":1,"durable_position":"12"})", R"({"format":1,"durable_position":-1})",
        R"({"format":1,"closed_files":{}})", R"({"format":1,"server":{"server_id":4294967296}})",
        R"({"format":1} x)", R"({"format":1,"source":"a\q"})"}) {
    INFO(text);
    auto decoded = decode_archive_state(text, "REPO/binlogs/s/state.json");
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == ErrorCode::kCorrupt);
    CHECK(decoded.error().where == "REPO/binlogs/s/state.json");
  }
}

TEST_CASE("archive state: a successor's link round-trips, a state without one reads as none") {
  ArchiveState state;
  state.source = "db1.20261207T041500Z";
  state.follows = SourceLink{"db1", "20261207T041500Z", "0-1-100,1-2-5"};
  const std::string json = encode_archive_state(state);
  CHECK(
      json.find(
          R"("follows":{"source":"db1","record":"20261207T041500Z","from_gtid_position":"0-1-100,1-2-5"})") !=
      std::string::npos);
  auto decoded = decode_archive_state(json, "state.json");
  REQUIRE(decoded.ok());
  CHECK(*decoded == state);

  state.follows.reset();
  const std::string plain = encode_archive_state(state);
  CHECK(plain.find("follows") == std::string::npos);
  auto without = decode_archive_state(plain, "state.json");
  REQUIRE(without.ok());
  CHECK_FALSE(without->follows.has_value());

  auto wrong = decode_archive_state(R"({"format":1,"follows":{"source":7}})", "s");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == ErrorCode::kCorrupt);
}
