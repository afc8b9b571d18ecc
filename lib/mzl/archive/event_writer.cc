#include "mzl/archive/event_writer.h"

#include "mzl/codec/event_decoder.h"
#include "mzl/codec/event_type.h"
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
  if (const auto* rows = event.get<codec::RowsEvent>()) {
    if (const auto& table = ctx.shared_table_map(rows->table_id)) {
      context.table = table.get();
      context.plan = &table_plans_.plan_for(table);
    }
  }
  const size_t line_start = lines_.size();
  Status rendered = codec::append_event_json(lines_, event, context);
  if (!rendered.ok()) {
    lines_.resize(line_start);  // a line that failed is not written
    return rendered;
  }
  lines_ += '\n';
  if (lines_.size() >= kJsonBatch) return write_lines();
  return ok_status();
}

Status EventWriter::write(const codec::RawEvent& raw, codec::DecoderContext& ctx) {
  if (format_ == OutputFormat::kRaw) return this->raw(raw.data);
  if (codec::is_rows_event(raw.header.type_code)) {
    MZL_CHECK(codec::decode_event(raw, ctx, rows_event_));
    return json(rows_event_, ctx);
  }
  MZL_TRY(codec::Event event, codec::decode_event(raw, ctx));
  MZL_CHECK(json(event, ctx));
  if (const auto* payload = event.get<codec::TransactionPayloadEvent>()) {
    MZL_TRY(auto inner, codec::decode_payload_events(*payload, ctx, event.offset));
    for (const auto& e : inner) MZL_CHECK(json(e, ctx, event.offset));
  }
  return ok_status();
}

}  // namespace mzl::archive
