#include "mzl/archive/event_writer.h"

#include <fmt/format.h>

#include "mzl/codec/event_decoder.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_from_events.h"
#include "mzl/util/json.h"

namespace mzl::archive {

EventWriter::~EventWriter() {
  (void)write_lines();
}

Status EventWriter::write_lines() {
  if (lines_.empty()) return ok_status();
  Status status = out_.write(std::span(reinterpret_cast<const uint8_t*>(lines_.data()), lines_.size()));
  lines_.clear();
  return status;
}

Status EventWriter::raw(Bytes event) {
  MZL_CHECK(write_lines());
  return out_.write(event);
}

Status EventWriter::flush() {
  MZL_CHECK(write_lines());
  return out_.flush();
}

Status EventWriter::begin() {
  if (format_ != OutputFormat::kRaw) return ok_status();
  return out_.write(std::span<const uint8_t>(codec::kBinlogMagic, codec::kBinlogMagicSize));
}

void EventWriter::set_file(const std::string& file) {
  file_ = file;
  file_json_.clear();
  append_json_string(file_json_, file);
}

Status EventWriter::json(const codec::Event& event, const codec::DecoderContext& ctx,
                         std::optional<uint64_t> payload_pos) {
  codec::EventJsonContext context;
  context.file = file_;
  context.file_json = file_json_;
  context.payload_pos = payload_pos;
  if (silent_) return ok_status();  // a transaction the consumer has: its rows need no names
  const auto* rows = event.get<codec::RowsEvent>();
  std::shared_ptr<const codec::TableMapEvent> table;
  if (rows) {
    table = ctx.shared_table_map(rows->table_id);
    if (table && schema_) {
      MZL_TRY(table, schema_->describe(table, gtid_, file_, event.offset));
    }
    if (table) {
      context.table = table.get();
      context.plan = &table_plans_.plan_for(table);
    }
  }
  if (format_ == OutputFormat::kMaxwell) {
    if (!rows) return ok_status();  // Maxwell writes row changes only
    if (!table) {
      return Error(ErrorCode::kCorrupt,
                   fmt::format("rows event for table id {} has no TABLE_MAP before it", rows->table_id))
          .at_r(file_, event.offset);
    }
    return maxwell(*rows, table, event.header.timestamp);
  }
  const size_t line_start = lines_.size();
  Status rendered = codec::append_event_json(lines_, event, context);
  if (!rendered.ok()) {
    lines_.resize(line_start);  // a line that failed is not written
    return rendered;
  }
  if (rows && transaction_fields_) append_transaction_fields();
  lines_ += '\n';
  if (lines_.size() >= kJsonBatch) return write_lines();
  return ok_status();
}

Status EventWriter::maxwell(const codec::RowsEvent& rows,
                            const std::shared_ptr<const codec::TableMapEvent>& table, uint32_t timestamp) {
  MaxwellPlan& cached = maxwell_plans_[rows.table_id];
  if (cached.table != table) {
    auto plan = codec::maxwell_table_plan(*table);
    if (!plan.ok()) return std::move(plan).error().at_r(file_);
    cached = MaxwellPlan{table, std::move(*plan)};
  }
  const bool last = commit_next_rows_;
  commit_next_rows_ = false;
  MZL_CHECK(codec::append_maxwell_rows(lines_, rows, *table, cached.plan, timestamp, last, maxwell_));
  if (lines_.size() >= kJsonBatch) return write_lines();
  return ok_status();
}

// Inside the rows line's object, before its closing brace: "gtid", "xid", and "commit" on the last one.
void EventWriter::append_transaction_fields() {
  lines_.pop_back();
  JsonWriter w(lines_);
  w.raw("");  // after the line's last field: the next field is separated by a comma
  if (!gtid_.empty()) w.field("gtid", gtid_);
  if (xid_) w.field("xid", *xid_);
  if (commit_next_rows_) {
    w.field("commit", true);
    commit_next_rows_ = false;
  }
  lines_ += '}';
}

// What the change stream takes from an event besides its line: the transaction's GTID, and DDL for the
// schema history.
Result<std::string> EventWriter::gtid_of(const codec::Event& event) {
  if (const auto* maria = event.get<codec::MariaGtidEvent>()) {
    return codec::maria_gtid_from(*maria, event.header.server_id).to_string();
  }
  if (const auto* mysql = event.get<codec::MysqlGtidEvent>()) {
    MZL_TRY(auto gtid, codec::mysql_gtid_from(*mysql));
    return gtid ? gtid->to_string() : std::string();
  }
  return std::string();
}

Status EventWriter::note_event(const codec::Event& event) {
  if (event.get<codec::MariaGtidEvent>() || event.get<codec::MysqlGtidEvent>()) {
    MZL_TRY(gtid_, gtid_of(event));
  } else if (const auto* query = event.get<codec::QueryEvent>(); query && schema_) {
    MZL_CHECK(schema_->on_query(*query, gtid_, file_, event.offset));
  }
  return ok_status();
}

Status EventWriter::write(const codec::RawEvent& raw, codec::DecoderContext& ctx) {
  if (format_ == OutputFormat::kRaw) return this->raw(raw.data);
  if (codec::is_rows_event(raw.header.type_code)) {
    MZL_CHECK(codec::decode_event(raw, ctx, rows_event_));
    return json(rows_event_, ctx);
  }
  MZL_TRY(codec::Event event, codec::decode_event(raw, ctx));
  if (transaction_fields_) MZL_CHECK(note_event(event));
  MZL_CHECK(json(event, ctx));
  if (const auto* payload = event.get<codec::TransactionPayloadEvent>()) {
    MZL_TRY(auto inner, codec::decode_payload_events(*payload, ctx, event.offset));
    // A TRANSACTION_PAYLOAD (MySQL binlog_transaction_compression) holds a whole transaction: its XID and its
    // last rows event are inside it, where the caller's look at the event headers cannot see them.
    size_t last_rows = inner.size();
    for (size_t i = 0; i < inner.size(); ++i) {
      if (inner[i].get<codec::RowsEvent>()) last_rows = i;
      if (const auto* xid = inner[i].get<codec::XidEvent>(); xid && transaction_fields_ && !xid_) {
        xid_ = xid->xid;
        maxwell_.xid = xid->xid;
      }
    }
    for (size_t i = 0; i < inner.size(); ++i) {
      if (transaction_fields_) MZL_CHECK(note_event(inner[i]));
      if (i == last_rows && transaction_fields_) commit_next_rows_ = true;
      MZL_CHECK(json(inner[i], ctx, event.offset));
    }
  }
  return ok_status();
}

}  // namespace mzl::archive
