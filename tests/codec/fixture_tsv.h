#pragma once
// Reads the fixtures' events.tsv files (one row per event; see fixtures/binlogs/README.md).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mzl::test {

struct TsvEvent {
  std::string file;
  uint64_t offset = 0;
  int depth = 0;           // 1 = inside a TRANSACTION_PAYLOAD (offset relative to the inflated payload)
  bool truncated = false;  // a "TRUNCATED" row: trailing bytes that are not a whole event
  int type_code = -1;
  std::string type_name;
  uint32_t timestamp = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;
  uint32_t log_pos = 0;
  uint16_t flags = 0;
  std::string crc32;  // "ok", "ok(in-use-flag-cleared)", "none", "TRUNCATED"
  std::string info;
};

// Every row of <fixtures>/<folder>/events.tsv, keyed by file name, in file order.
std::map<std::string, std::vector<TsvEvent>> read_events_tsv(const std::filesystem::path& tsv);

// The rows for one fixture binlog (looked up in the events.tsv of its folder).
std::vector<TsvEvent> tsv_events_for(const std::filesystem::path& binlog);

}  // namespace mzl::test
