#include "mzl/codec/event_type.h"

#include <array>
#include <cstdio>

namespace mzl::codec {

namespace {

constexpr std::array<const char*, 43> kMysqlNames = {
    "UNKNOWN",
    "START_V3",
    "QUERY",
    "STOP",
    "ROTATE",
    "INTVAR",
    "LOAD",
    "SLAVE",
    "CREATE_FILE",
    "APPEND_BLOCK",
    "EXEC_LOAD",
    "DELETE_FILE",
    "NEW_LOAD",
    "RAND",
    "USER_VAR",
    "FORMAT_DESCRIPTION",
    "XID",
    "BEGIN_LOAD_QUERY",
    "EXECUTE_LOAD_QUERY",
    "TABLE_MAP",
    "PRE_GA_WRITE_ROWS",
    "PRE_GA_UPDATE_ROWS",
    "PRE_GA_DELETE_ROWS",
    "WRITE_ROWS_V1",
    "UPDATE_ROWS_V1",
    "DELETE_ROWS_V1",
    "INCIDENT",
    "HEARTBEAT",
    "IGNORABLE",
    "ROWS_QUERY",
    "WRITE_ROWS_V2",
    "UPDATE_ROWS_V2",
    "DELETE_ROWS_V2",
    "GTID",
    "ANONYMOUS_GTID",
    "PREVIOUS_GTIDS",
    "TRANSACTION_CONTEXT",
    "VIEW_CHANGE",
    "XA_PREPARE",
    "PARTIAL_UPDATE_ROWS",
    "TRANSACTION_PAYLOAD",
    "HEARTBEAT_V2",
    "GTID_TAGGED",
};

constexpr std::array<const char*, 12> kMariaNames = {
    "MARIA_ANNOTATE_ROWS",
    "MARIA_BINLOG_CHECKPOINT",
    "MARIA_GTID",
    "MARIA_GTID_LIST",
    "MARIA_START_ENCRYPTION",
    "MARIA_QUERY_COMPRESSED",
    "MARIA_WRITE_ROWS_COMPRESSED_V1",
    "MARIA_UPDATE_ROWS_COMPRESSED_V1",
    "MARIA_DELETE_ROWS_COMPRESSED_V1",
    "MARIA_WRITE_ROWS_COMPRESSED",
    "MARIA_UPDATE_ROWS_COMPRESSED",
    "MARIA_DELETE_ROWS_COMPRESSED",
};

// "UNKNOWN_<n>" for every code, built once so that the returned pointers stay valid.
const std::array<std::array<char, 12>, 256>& unknown_names() {
  static const auto names = [] {
    std::array<std::array<char, 12>, 256> out{};
    for (size_t i = 0; i < out.size(); ++i) std::snprintf(out[i].data(), out[i].size(), "UNKNOWN_%zu", i);
    return out;
  }();
  return names;
}

}  // namespace

const char* event_type_name(uint8_t type_code) {
  if (type_code < kMysqlNames.size()) return kMysqlNames[type_code];
  const uint8_t kMariaFirst = static_cast<uint8_t>(EventType::kMariaAnnotateRows);
  if (type_code >= kMariaFirst && type_code - kMariaFirst < static_cast<int>(kMariaNames.size())) {
    return kMariaNames[type_code - kMariaFirst];
  }
  return unknown_names()[type_code].data();
}

}  // namespace mzl::codec
