#pragma once
// Renders decoded events as JSON objects, the line format of `mzl-binlog-tail --output json` (documented in
// man/mzl-binlog-tail.1, JSON OUTPUT): file, pos, next_pos, timestamp, server_id, type, type_code, then the
// body's fields. Row events list their rows with before/after images keyed by column name (or "@1", "@2"...
// when the TABLE_MAP has no names); BINARY(n) values are padded back to n bytes when the TABLE_MAP says
// which CHAR columns are binary.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mzl/codec/event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/util/json.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// Column names of recently seen tables, already rendered as JSON keys ("\"name\":"), so that rows events
// do not escape the same names row after row. Keyed by table id; an entry is reused only while the table
// map's names are the same.
class ColumnKeyCache {
 public:
  const std::vector<std::string>& keys_for(const TableMapEvent& table);

 private:
  struct Entry {
    std::vector<std::string> names;
    std::vector<std::string> keys;
  };
  std::unordered_map<uint64_t, Entry> entries_;
};

struct EventJsonContext {
  std::string_view file;  // the file the event came from
  // Optional: `file` already rendered as a JSON string (with quotes), so that a caller writing many events of
  // one file escapes its name once.
  std::string_view file_json;
  // For rows events: the TABLE_MAP of the event's table id, or nullptr when none was seen (kCorrupt).
  const TableMapEvent* table = nullptr;
  // For events inside a TRANSACTION_PAYLOAD: the payload event's offset in the file (pos is then the
  // offset inside the uncompressed payload).
  std::optional<uint64_t> payload_pos;
  // Optional: reused column keys (see ColumnKeyCache); rendered afresh when null.
  ColumnKeyCache* column_keys = nullptr;
};

// Appends one JSON object (no trailing newline) for `event` to `out`. Fails only when a rows event cannot be
// decoded with its table map (the error names the table); `out` may then hold a partial object.
Status append_event_json(std::string& out, const Event& event, const EventJsonContext& context);

}  // namespace mzl::codec
