#include "recorded_rows.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace mzl::test {

namespace {

std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace

std::vector<RecordedServer> recorded_servers(const std::string& name) {
  const auto path = std::filesystem::path(MZL_SOURCE_DIR) / "tests" / "topology" / "recorded" / name;
  std::ifstream in(path);
  INFO(path.string());
  REQUIRE(in.good());
  std::vector<RecordedServer> servers;
  net::NamedRow* row = nullptr;
  std::optional<std::string>* last = nullptr;
  bool in_status = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("=== server ", 0) == 0) {
      in_status = line.find("variables") == std::string::npos;
      if (!in_status) {
        servers.emplace_back();
        row = &servers.back().variables;
      } else {
        REQUIRE(!servers.empty());
        row = nullptr;
      }
      last = nullptr;
      continue;
    }
    if (line.find("***") != std::string::npos && line.find(". row ") != std::string::npos) {
      REQUIRE(in_status);
      servers.back().channels.emplace_back();
      row = &servers.back().channels.back();
      last = nullptr;
      continue;
    }
    REQUIRE(row != nullptr);
    if (last != nullptr && *last && !(*last)->empty() && (*last)->back() == ',') {
      **last += "\n" + trim(line);
      continue;
    }
    const size_t colon = line.find(':');
    INFO(line);
    REQUIRE(colon != std::string::npos);
    std::string value = trim(std::string_view(line).substr(colon + 1));
    auto [it, inserted] = row->emplace(trim(std::string_view(line).substr(0, colon)), std::nullopt);
    REQUIRE(inserted);
    if (value != "NULL") it->second = value;
    last = &it->second;
  }
  return servers;
}

std::vector<topology::ServerEntry> recorded_entries(const std::string& name, unsigned first_port) {
  std::vector<topology::ServerEntry> entries;
  unsigned port = first_port;
  for (const RecordedServer& server : recorded_servers(name)) {
    topology::ServerEntry entry;
    entry.address = {"127.0.0.1", port++};
    auto state = topology::parse_server_state(entry.address, server.variables, server.channels);
    INFO((state.ok() ? "" : state.error().to_string()));
    REQUIRE(state.ok());
    entry.state = std::move(*state);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace mzl::test
