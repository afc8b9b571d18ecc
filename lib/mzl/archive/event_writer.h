#pragma once
// Writes binlog events to an output stream, as JSON lines (codec/event_json.h) or as one raw binlog stream:
// what `mzl-binlog-tail --read --output` and the archiver's `--output` share (man/mzl-binlog-tail.1).
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "mzl/codec/decoder_context.h"
#include "mzl/codec/event.h"
#include "mzl/codec/event_json.h"
#include "mzl/codec/maxwell_json.h"
#include "mzl/codec/raw_event.h"
#include "mzl/schema/schema_tracker.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/result.h"

namespace mzl::archive {

// kMaxwell: the change stream in Maxwell's line format (codec/maxwell_json.h), rows events only; only the
// archiver's output (tail_output.h) writes it, since a line needs its transaction's end.
enum class OutputFormat { kJson, kRaw, kMaxwell };

// Raw: the binlog magic once (begin()), then each event byte for byte. JSON: one object per line, naming
// the file given to set_file(). Errors: kIo from the output; a rows event without its TABLE_MAP is
// kCorrupt (JSON only).
class EventWriter {
 public:
  EventWriter(OutputFormat format, OutputStream& out) : format_(format), out_(out) {}
  // Hands the JSON lines still held to the output (not flushed; errors are dropped: call flush() to see
  // them).
  ~EventWriter();
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  OutputFormat format() const { return format_; }
  Status begin();
  // The "file" of the JSON lines that follow.
  void set_file(const std::string& file);
  Status raw(Bytes event);
  // One JSON line for `event`, decoded with `ctx`; `payload_pos` for an event inside a TRANSACTION_PAYLOAD
  // (the payload event's offset).
  Status json(const codec::Event& event, const codec::DecoderContext& ctx,
              std::optional<uint64_t> payload_pos = std::nullopt);
  // Every event unfiltered: raw bytes, or decoded (`ctx` follows it) and written as JSON together with the
  // events inside a TRANSACTION_PAYLOAD.
  Status write(const codec::RawEvent& raw, codec::DecoderContext& ctx);
  // Hands every line held here to the output, then flushes it.
  Status flush();

  // The change stream's fields (tail_output.h): from here on, each rows event's line also carries its
  // transaction's "gtid", the "xid" given to begin_transaction() and, on the transaction's last rows event
  // (commit_next_rows()), "commit":true. Column names come from `schema` when the TABLE_MAP has none
  // (nullptr:
  // "@1", "@2"...), and every QUERY is passed to it.
  void enable_transaction_fields(schema::SchemaTracker* schema) {
    transaction_fields_ = true;
    schema_ = schema;
  }
  void begin_transaction(std::optional<uint64_t> xid) {
    gtid_.clear();
    xid_ = xid;
    commit_next_rows_ = false;
    maxwell_ = codec::MaxwellTransaction{};
    maxwell_.xid = xid;
  }
  void commit_next_rows() { commit_next_rows_ = true; }
  // While set, write() decodes events (and follows their DDL) without writing lines: a transaction that the
  // consumer has (--after-gtid).
  void set_silent(bool silent) { silent_ = silent; }
  // The GTID text of a GTID event ("" for other events and anonymous transactions).
  static Result<std::string> gtid_of(const codec::Event& event);
  // The GTID of the transaction being written ("" before its GTID event, or without one).
  const std::string& gtid() const { return gtid_; }

 private:
  OutputFormat format_;
  OutputStream& out_;
  std::string file_;
  std::string file_json_;  // file_ as a JSON string
  // JSON lines are rendered straight into this buffer, which goes to the output in one write of at least
  // kJsonBatch bytes (a write that size bypasses the output's own buffer): no second copy of each line.
  static constexpr size_t kJsonBatch = size_t{1} << 20;
  Status write_lines();
  std::string lines_;
  codec::Event rows_event_;  // rows events are decoded into this one, which keeps its vectors' capacity
  codec::TableRenderPlans table_plans_;
  Status note_event(const codec::Event& event);
  Status maxwell(const codec::RowsEvent& rows, const std::shared_ptr<const codec::TableMapEvent>& table,
                 uint32_t timestamp);
  codec::MaxwellTransaction maxwell_;
  struct MaxwellPlan {
    std::shared_ptr<const codec::TableMapEvent> table;
    codec::MaxwellTablePlan plan;
  };
  std::unordered_map<uint64_t, MaxwellPlan> maxwell_plans_;  // by table id
  void append_transaction_fields();
  bool transaction_fields_ = false;
  schema::SchemaTracker* schema_ = nullptr;
  std::string gtid_;
  std::optional<uint64_t> xid_;
  bool commit_next_rows_ = false;
  bool silent_ = false;
};

}  // namespace mzl::archive
