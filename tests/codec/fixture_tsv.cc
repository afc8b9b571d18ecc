#include "codec/fixture_tsv.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace mzl::test {

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) out.push_back(field);
  if (!line.empty() && line.back() == '\t') out.emplace_back();
  return out;
}

}  // namespace

std::map<std::string, std::vector<TsvEvent>> read_events_tsv(const std::filesystem::path& tsv) {
  std::map<std::string, std::vector<TsvEvent>> out;
  std::ifstream in(tsv);
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);
  REQUIRE(line.rfind("file\toffset\tdepth\ttype_code", 0) == 0);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto f = split_tabs(line);
    REQUIRE(f.size() >= 11);
    TsvEvent e;
    e.file = f[0];
    e.offset = std::stoull(f[1]);
    e.depth = std::stoi(f[2]);
    e.crc32 = f[10];
    e.info = f.size() > 11 ? f[11] : "";
    e.truncated = e.crc32 == "TRUNCATED";
    if (!e.truncated) {
      e.type_code = std::stoi(f[3]);
      e.type_name = f[4];
      e.timestamp = static_cast<uint32_t>(std::stoul(f[5]));
      e.server_id = static_cast<uint32_t>(std::stoul(f[6]));
      e.event_size = static_cast<uint32_t>(std::stoul(f[7]));
      e.log_pos = static_cast<uint32_t>(std::stoul(f[8]));
      e.flags = static_cast<uint16_t>(std::stoul(f[9], nullptr, 16));
    } else {
      e.event_size = f[7].empty() ? 0 : static_cast<uint32_t>(std::stoul(f[7]));
    }
    out[e.file].push_back(std::move(e));
  }
  return out;
}

std::vector<TsvEvent> tsv_events_for(const std::filesystem::path& binlog) {
  auto all = read_events_tsv(binlog.parent_path() / "events.tsv");
  return all[binlog.filename().string()];
}

}  // namespace mzl::test
