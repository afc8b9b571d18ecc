#pragma once
// Renders decoded events as JSON objects, the line format of `mzl-binlog-tail --output json` (documented in
// man/mzl-binlog-tail.1, JSON OUTPUT): file, pos, next_pos, timestamp, server_id, type, type_code, then the
// body's fields. Row events list their rows with before/after images keyed by column name (or "@1", "@2"...
// when the TABLE_MAP has no names); BINARY(n) values are padded back to n bytes when the TABLE_MAP says
// which CHAR columns are binary.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mzl/codec/event.h"
#include "mzl/codec/row_image.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/util/json.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// What rendering the rows events of one table takes from its TABLE_MAP, worked out once per map: the row
// decoding plan, the column keys already rendered ("\"name\":", or "\"@1\":"... without names), the BINARY(n)
// pad lengths and the table's ",\"database\":..,\"table\":.." fields.
struct TableRenderPlan {
  std::shared_ptr<const TableMapEvent>
      owner;  // keeps the map alive (decode.columns point into it); may be null
  RowDecodePlan decode;
  std::vector<std::string> keys;
  std::vector<uint32_t> pads;  // per column, 0 = not padded; empty when the table has no CHAR column
  std::string table_fields;
};
TableRenderPlan table_render_plan(const TableMapEvent& table);

// The plans of the tables seen, by table id. A plan is reused while the decoder context hands out the same
// shared map for the id (DecoderContext::shared_table_map): a new TABLE_MAP of the id makes a new plan.
class TableRenderPlans {
 public:
  const TableRenderPlan& plan_for(const std::shared_ptr<const TableMapEvent>& table);

 private:
  std::unordered_map<uint64_t, TableRenderPlan> plans_;
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
  // Optional: the render plan of `table` (see TableRenderPlans); worked out afresh when null.
  const TableRenderPlan* plan = nullptr;
};

// Appends one JSON object (no trailing newline) for `event` to `out`. Fails only when a rows event cannot be
// decoded with its table map (the error names the table); `out` may then hold a partial object.
Status append_event_json(std::string& out, const Event& event, const EventJsonContext& context);

}  // namespace mzl::codec
