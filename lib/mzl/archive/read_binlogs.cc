#include "mzl/archive/read_binlogs.h"

#include <fmt/format.h>

#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/decoder_context.h"
#include "mzl/codec/event_decoder.h"
#include "mzl/codec/event_type.h"

namespace mzl::archive {

namespace {

class FileReadRun {
 public:
  FileReadRun(const ReadBinlogsOptions& options, EventFilter& filter, EventWriter& writer,
              ReadBinlogsStats& stats)
      : options_(options), filter_(filter), writer_(writer), stats_(stats) {}

  // Returns true when the stop position or stop time was reached (no later file is read).
  Result<bool> read_file(const std::string& path, bool first, bool last) {
    codec::BinlogFileReaderOptions reader_options;
    reader_options.verify_checksums = options_.verify_checksums;
    MZL_TRY(auto reader, codec::BinlogFileReader::open(path, reader_options));
    codec::DecoderContext ctx(path);
    writer_.set_file(path);
    const bool decode_all = options_.format == OutputFormat::kJson || !filter_.selects_everything();
    ++stats_.files;
    while (true) {
      auto next = reader.next();
      if (!next.ok()) return explain(std::move(next).error());
      if (!next->has_value()) return false;
      const codec::RawEvent& raw = **next;
      ++stats_.events_read;
      stats_.bytes_read += raw.data.size();
      const bool is_fd = raw.header.type_code == codec::code(codec::EventType::kFormatDescription);
      if (!is_fd) {
        if (first && options_.start_position && raw.offset < *options_.start_position) {
          if (decode_all) MZL_CHECK(decode_for_context(raw, ctx));
          continue;
        }
        if (last && options_.stop_position && raw.offset >= *options_.stop_position) return true;
      }
      if (!decode_all) {
        MZL_CHECK(writer_.raw(raw.data));
        ++stats_.events_written;
        continue;
      }
      codec::Event decoded;
      const codec::Event* event_ptr = &rows_event_;
      if (codec::is_rows_event(raw.header.type_code)) {
        MZL_CHECK(codec::decode_event(raw, ctx, rows_event_));  // reuses the last rows event's vectors
      } else {
        MZL_TRY(decoded, codec::decode_event(raw, ctx));
        event_ptr = &decoded;
      }
      const codec::Event& event = *event_ptr;
      const auto verdict = filter_.check(event, ctx);
      if (verdict == EventFilter::Verdict::kStop) return true;
      if (verdict == EventFilter::Verdict::kSkip) continue;
      ++stats_.events_written;
      if (options_.format == OutputFormat::kRaw) {
        MZL_CHECK(writer_.raw(raw.data));
        continue;
      }
      MZL_CHECK(writer_.json(event, ctx));
      if (const auto* payload = event.get<codec::TransactionPayloadEvent>()) {
        MZL_CHECK(emit_payload(*payload, event.offset, ctx));
      }
    }
  }

 private:
  // Events before --start-position are still decoded when they set up context (FD, TABLE_MAP).
  Status decode_for_context(const codec::RawEvent& raw, codec::DecoderContext& ctx) {
    if (raw.header.type_code != codec::code(codec::EventType::kTableMap)) return ok_status();
    MZL_TRY(codec::Event ignored, codec::decode_event(raw, ctx));
    (void)ignored;
    return ok_status();
  }

  Status emit_payload(const codec::TransactionPayloadEvent& payload, uint64_t payload_offset,
                      codec::DecoderContext& ctx) {
    MZL_TRY(auto inner, codec::decode_payload_events(payload, ctx, payload_offset));
    for (const auto& event : inner) {
      const auto verdict = filter_.check(event, ctx);
      if (verdict != EventFilter::Verdict::kKeep) continue;
      MZL_CHECK(writer_.json(event, ctx, payload_offset));
    }
    return ok_status();
  }

  static Error explain(Error error) {
    if (error.code == ErrorCode::kNeedMoreData) {
      error.message = "the file ends inside an event (truncated, or still being written): " + error.message;
    }
    return error;
  }

  const ReadBinlogsOptions& options_;
  EventFilter& filter_;
  EventWriter& writer_;
  ReadBinlogsStats& stats_;
  codec::Event rows_event_;
};

}  // namespace

Result<ReadBinlogsStats> read_binlogs(const ReadBinlogsOptions& options, OutputStream& out) {
  MZL_TRY(auto filter, EventFilter::make(options.selection));
  ReadBinlogsStats stats;
  EventWriter writer(options.format, out);
  MZL_CHECK(writer.begin());
  FileReadRun run(options, filter, writer, stats);
  for (size_t i = 0; i < options.files.size(); ++i) {
    MZL_TRY(bool stopped, run.read_file(options.files[i].string(), i == 0, i + 1 == options.files.size()));
    if (stopped) break;
  }
  MZL_CHECK(writer.flush());  // the JSON lines the writer still holds, then the stream
  return stats;
}

}  // namespace mzl::archive
