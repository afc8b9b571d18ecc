#include "mzl/codec/event_json.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "mzl/codec/column_type.h"
#include "mzl/codec/column_value.h"
#include "mzl/codec/column_value_render.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/row_image.h"
#include "mzl/codec/row_image_stream.h"
#include "mzl/gtid/uuid.h"
#include "mzl/util/base64.h"

namespace mzl::codec {

namespace {

std::string sid_text(const Sid& sid) {
  gtid::Uuid uuid;
  uuid.bytes = sid;
  return uuid.to_string();
}

// The byte length of each BINARY(n) column (a CHAR of the binary collation, 63), 0 for the others: the
// server logs such a value without its trailing 0x00 pad (sql/field.cc Field_string::pack) but the value is
// n bytes, as SELECT returns it. Without the optional metadata's charsets nothing is padded: a CHAR whose
// collation is unknown may be text, whose pad spaces SELECT does not return.
std::vector<uint32_t> binary_pad_lengths(const TableMapEvent& table, const std::vector<ColumnInfo>& infos) {
  std::vector<uint32_t> pads;
  bool any_char = false;
  for (uint8_t type : table.column_types) any_char = any_char || type == code(ColumnType::kString);
  if (!any_char) return pads;
  pads.assign(infos.size(), 0);
  for (size_t i = 0; i < infos.size(); ++i) {
    if (infos[i].real_type == code(ColumnType::kString) && infos[i].charset == 63u)
      pads[i] = string_max_length(infos[i].metadata);
  }
  return pads;
}

const char* checksum_name(ChecksumAlg alg) {
  switch (alg) {
    case ChecksumAlg::kOff:
      return "OFF";
    case ChecksumAlg::kCrc32:
      return "CRC32";
    case ChecksumAlg::kUndefined:
      return "NONE";
  }
  return "UNKNOWN";
}

// "\"name\":" for every column: the name from the optional metadata, or "@1", "@2"... as mariadb-binlog
// prints them when the table map has no names.
std::vector<std::string> column_keys(const TableMapEvent& table) {
  std::vector<std::string> keys(table.column_count());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i < table.optional.column_names.size()) {
      append_json_string(keys[i], table.optional.column_names[i]);
    } else {
      keys[i] = fmt::format("\"@{}\"", i + 1);
    }
    keys[i] += ':';
  }
  return keys;
}

// Renders every body type; one overload per struct, chosen by std::visit.
struct BodyRenderer {
  JsonWriter& w;
  const Event& event;
  const EventJsonContext& context;

  Status operator()(const FormatDescription& fd) {
    w.field("binlog_version", unsigned{fd.binlog_version});
    w.field("server_version", fd.server_version);
    w.field("create_timestamp", uint64_t{fd.create_timestamp});
    w.field("checksum", checksum_name(fd.checksum_alg));
    w.field("flavour", fd.flavour == Flavour::kMariaDB ? "mariadb" : "mysql");
    return ok_status();
  }
  Status operator()(const RotateEvent& e) {
    w.field("next_file", e.new_log_ident);
    w.field("next_file_pos", e.position);
    return ok_status();
  }
  Status operator()(const QueryEvent& e) {
    w.field("thread_id", uint64_t{e.thread_id});
    w.field("exec_time", uint64_t{e.exec_time});
    w.field("error_code", unsigned{e.error_code});
    w.field("database", e.db);
    if (e.status.sql_mode) w.field("sql_mode", *e.status.sql_mode);
    if (e.status.charset_client) {
      w.field("charset_client", unsigned{*e.status.charset_client});
      w.field("collation_connection", unsigned{e.status.collation_connection.value_or(0)});
      w.field("collation_server", unsigned{e.status.collation_server.value_or(0)});
    }
    if (e.status.time_zone) w.field("time_zone", *e.status.time_zone);
    if (e.compressed) w.field("compressed", true);
    w.field("query", e.query);
    return ok_status();
  }
  Status operator()(const StopEvent&) { return ok_status(); }
  Status operator()(const XidEvent& e) {
    w.field("xid", e.xid);
    return ok_status();
  }
  Status operator()(const IntvarEvent& e) {
    w.field("variable", e.type == 1 ? "LAST_INSERT_ID" : e.type == 2 ? "INSERT_ID" : "INVALID");
    w.field("value", e.value);
    return ok_status();
  }
  Status operator()(const RandEvent& e) {
    w.field("seed1", e.seed1);
    w.field("seed2", e.seed2);
    return ok_status();
  }
  Status operator()(const UserVarEvent& e) {
    w.field("name", e.name);
    if (e.is_null) {
      w.key("value");
      w.null();
      return ok_status();
    }
    w.field("value_type", unsigned{e.value_type});
    w.field("charset", uint64_t{e.charset});
    w.key("value");
    std::string_view text(reinterpret_cast<const char*>(e.value.data()), e.value.size());
    if (is_valid_utf8(text)) {
      w.value(text);
    } else {
      std::string b64;
      append_base64(b64, e.value);
      w.begin_object();
      w.field("base64", b64);
      w.end_object();
    }
    if (e.flags) w.field("unsigned", (*e.flags & 1) != 0);
    return ok_status();
  }
  Status operator()(const HeartbeatEvent& e) {
    w.field("log_file", e.log_filename);
    if (e.log_position) w.field("log_pos", *e.log_position);
    return ok_status();
  }
  Status operator()(const IncidentEvent& e) {
    w.field("incident", unsigned{e.incident});
    if (e.message) w.field("message", *e.message);
    return ok_status();
  }
  Status operator()(const AnnotateRowsEvent& e) {
    w.field("query", e.query);
    return ok_status();
  }
  Status operator()(const RowsQueryEvent& e) {
    w.field("query", e.query);
    return ok_status();
  }
  Status operator()(const StartEncryptionEvent& e) {
    w.field("scheme", unsigned{e.scheme});
    w.field("key_version", uint64_t{e.key_version});
    w.field("note", "the rest of this binlog file is encrypted and is not decoded");
    return ok_status();
  }
  Status operator()(const TransactionPayloadEvent& e) {
    w.field("compression", e.compression_type == kPayloadCompressionZstd   ? "zstd"
                           : e.compression_type == kPayloadCompressionNone ? "none"
                                                                           : "unknown");
    w.field("payload_size", e.payload_size);
    w.field("uncompressed_size", e.uncompressed_size);
    return ok_status();
  }
  Status operator()(const MysqlGtidEvent& e) {
    if (e.type_code == code(EventType::kAnonymousGtid)) {
      w.field("gtid", "ANONYMOUS");
    } else if (!e.tag.empty()) {
      w.field("gtid", fmt::format("{}:{}:{}", sid_text(e.sid), e.tag, e.gno));
    } else {
      w.field("gtid", fmt::format("{}:{}", sid_text(e.sid), e.gno));
    }
    w.field("may_have_sbr", (e.flags & kGtidFlagMayHaveSbr) != 0);
    if (e.last_committed) w.field("last_committed", *e.last_committed);
    if (e.sequence_number) w.field("sequence_number", *e.sequence_number);
    if (e.immediate_commit_timestamp) w.field("immediate_commit_timestamp_us", *e.immediate_commit_timestamp);
    if (e.original_commit_timestamp) w.field("original_commit_timestamp_us", *e.original_commit_timestamp);
    if (e.transaction_length) w.field("transaction_length", *e.transaction_length);
    if (e.immediate_server_version)
      w.field("immediate_server_version", uint64_t{*e.immediate_server_version});
    if (e.original_server_version) w.field("original_server_version", uint64_t{*e.original_server_version});
    return ok_status();
  }
  Status operator()(const PreviousGtidsEvent& e) {
    std::string set;
    for (const auto& sid : e.sids) {
      if (!set.empty()) set += ',';
      set += sid_text(sid.sid);
      if (!sid.tag.empty()) set += ':' + sid.tag;
      for (const auto& iv : sid.intervals) {
        set += iv.end - 1 == iv.start ? fmt::format(":{}", iv.start)
                                      : fmt::format(":{}-{}", iv.start, iv.end - 1);
      }
    }
    w.field("gtid_set", set);
    return ok_status();
  }
  Status operator()(const MariaGtidEvent& e) {
    w.field("gtid", fmt::format("{}-{}-{}", e.domain_id, event.header.server_id, e.seq_no));
    w.field("standalone", (e.flags2 & kMariaFlStandalone) != 0);
    w.field("transactional", (e.flags2 & kMariaFlTransactional) != 0);
    w.field("ddl", (e.flags2 & kMariaFlDdl) != 0);
    w.field("flags2", unsigned{e.flags2});
    if (e.commit_id) w.field("commit_id", *e.commit_id);
    if (e.xid) {
      std::string data;
      append_base64(data, e.xid->data);
      w.key("xa");
      w.begin_object();
      w.field("format_id", int64_t{e.xid->format_id});
      w.field("gtrid_length", unsigned{e.xid->gtrid_length});
      w.field("bqual_length", unsigned{e.xid->bqual_length});
      w.field("data_base64", data);
      w.end_object();
    }
    return ok_status();
  }
  Status operator()(const MariaGtidListEvent& e) {
    std::string list;
    for (const auto& entry : e.list) {
      if (!list.empty()) list += ',';
      list += fmt::format("{}-{}-{}", entry.domain_id, entry.server_id, entry.seq_no);
    }
    w.field("gtid_list", list);
    if (e.flags) w.field("flags", unsigned{e.flags});
    return ok_status();
  }
  Status operator()(const BinlogCheckpointEvent& e) {
    w.field("binlog_file", e.binlog_file_name);
    return ok_status();
  }
  // Table maps precede every rows event of every transaction: keep their line short (the column names appear
  // as the keys of the row images; the types are in the table's DDL).
  Status operator()(const TableMapEvent& e) {
    w.field("table_id", e.table_id);
    w.field("database", e.database);
    w.field("table", e.table);
    w.field("column_count", uint64_t{e.column_count()});
    return ok_status();
  }
  Status operator()(const TableMapRef& e) { return (*this)(*e.map); }
  Status operator()(const RowsEvent& e) {
    w.field("table_id", e.table_id);
    const TableMapEvent* table = context.table;
    if (table == nullptr || table->table_id != e.table_id) {
      return Error(ErrorCode::kCorrupt,
                   fmt::format("rows event for table id {} has no TABLE_MAP before it (start reading at the "
                               "transaction's first event)",
                               e.table_id));
    }
    std::optional<TableRenderPlan> local_plan;
    const TableRenderPlan& plan =
        context.plan != nullptr ? *context.plan : local_plan.emplace(table_render_plan(*table));
    w.out() += plan.table_fields;
    w.plain_key("rows");
    std::string& out = w.out();
    out += '[';
    JsonRowSink sink{out, plan};
    MZL_CHECK(stream_row_changes(e, *table, plan.decode, sink));
    out += ']';
    return ok_status();
  }
  Status operator()(const OpaqueEvent& e) {
    w.field("body_size", uint64_t{e.body.size()});
    return ok_status();
  }

  // Writes each value as the row images are read: {"before":{key:value,...},"after":{...}} per row.
  struct JsonRowSink final : RowValueSink {
    JsonRowSink(std::string& out, const TableRenderPlan& plan) : out(out), plan(plan) {}

    void begin_row() override {
      if (!first_row) out += ',';
      out += '{';
      first_row = false;
      first_image = true;
    }
    void begin_image(bool after) override {
      if (!first_image) out += ',';
      out += after ? "\"after\":{" : "\"before\":{";
      first_image = false;
      first_value = true;
    }
    void int_value(size_t column, const IntValue& value) override {
      key(column);
      append_json_int(out, value);
    }
    void string_value(size_t column, Bytes bytes, const ColumnInfo&) override {
      key(column);
      append_json_bytes(out, padded(column, bytes));
    }
    void value(size_t column, const ColumnValue& value) override {
      key(column);
      if (const auto* s = std::get_if<StringValue>(&value)) {
        append_json_bytes(out, padded(column, s->bytes));
      } else {
        append_json(value, out);
      }
    }
    void end_image() override { out += '}'; }
    void end_row() override { out += '}'; }

    void key(size_t column) {
      if (!first_value) out += ',';
      first_value = false;
      out += plan.keys[column];
    }
    // A BINARY(n) value with its trailing 0x00 pad put back (see binary_pad_lengths).
    Bytes padded(size_t column, Bytes bytes) {
      if (column >= plan.pads.size() || bytes.size() >= plan.pads[column]) return bytes;
      pad_buffer.assign(bytes.begin(), bytes.end());
      pad_buffer.resize(plan.pads[column], 0);
      return pad_buffer;
    }

    std::string& out;
    const TableRenderPlan& plan;
    std::vector<uint8_t> pad_buffer;
    bool first_row = true, first_image = true, first_value = true;
  };
};

}  // namespace

TableRenderPlan table_render_plan(const TableMapEvent& table) {
  TableRenderPlan plan;
  plan.decode = row_decode_plan(table);
  plan.keys = column_keys(table);
  plan.pads = binary_pad_lengths(table, plan.decode.columns);
  JsonWriter w(plan.table_fields);
  w.field("database", table.database);
  w.field("table", table.table);
  plan.table_fields.insert(plan.table_fields.begin(), ',');
  return plan;
}

const TableRenderPlan& TableRenderPlans::plan_for(const std::shared_ptr<const TableMapEvent>& table) {
  TableRenderPlan& plan = plans_[table->table_id];
  if (plan.owner != table) {
    plan = table_render_plan(*table);
    plan.owner = table;
  }
  return plan;
}

namespace {

// Appends a literal (a key and its punctuation) at p.
template <size_t N>
char* put(char* p, const char (&text)[N]) {
  std::memcpy(p, text, N - 1);
  return p + N - 1;
}

char* put(char* p, uint64_t value) {
  return std::to_chars(p, p + 20, value).ptr;
}

// Whether the type name can go into JSON between quotes as it is (every name is an identifier).
bool plain_name(std::string_view name) {
  if (name.size() > 48) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

}  // namespace

Status append_event_json(std::string& out, const Event& event, const EventJsonContext& context) {
  JsonWriter w(out);
  w.begin_object();
  if (context.file_json.empty()) {
    w.field("file", context.file);
  } else {
    w.key("file");
    w.raw(context.file_json);
  }
  // The fixed header fields, written in one piece: the same text as w.field() for each of them.
  char header[320];  // at most ~230 bytes: six numbers, a name of <= 48 characters and their keys
  char* p = header;
  if (context.payload_pos) p = put(put(p, ",\"payload_pos\":"), *context.payload_pos);
  p = put(put(p, ",\"pos\":"), event.offset);
  p = put(put(p, ",\"next_pos\":"), event.offset + event.header.event_size);
  p = put(put(p, ",\"timestamp\":"), uint64_t{event.header.timestamp});
  p = put(put(p, ",\"server_id\":"), uint64_t{event.header.server_id});
  const std::string_view type_name = event_type_name(event.header.type_code);
  if (plain_name(type_name)) {
    p = put(p, ",\"type\":\"");
    std::memcpy(p, type_name.data(), type_name.size());
    p = put(p + type_name.size(), "\",\"type_code\":");
    p = put(p, uint64_t{event.header.type_code});
    if (event.header.flags != 0) p = put(put(p, ",\"flags\":"), uint64_t{event.header.flags});
    out.append(header, p);
  } else {
    out.append(header, p);
    w.field("type", type_name);
    w.field("type_code", unsigned{event.header.type_code});
    if (event.header.flags != 0) w.field("flags", unsigned{event.header.flags});
  }
  Status status = std::visit(BodyRenderer{w, event, context}, event.body);
  if (!status.ok()) return status;
  w.end_object();
  return ok_status();
}

}  // namespace mzl::codec
