#include "mzl/archive/tail_output.h"

#include "mzl/codec/event_decoder.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/format_description.h"
#include "mzl/codec/raw_event.h"
#include "mzl/util/byte_reader.h"

namespace mzl::archive {

namespace {

uint8_t type_of(Bytes event) {
  return event.size() > 4 ? event[4] : 0;  // the header: timestamp (4 bytes), then the type code
}

bool is_gtid_event(uint8_t type) {
  using codec::EventType;
  return type == codec::code(EventType::kMariaGtid) || type == codec::code(EventType::kGtid) ||
         type == codec::code(EventType::kAnonymousGtid) || type == codec::code(EventType::kGtidTagged);
}

// The XID that ends a transaction, read from the XID event's header-and-body bytes: post-header empty, the
// body an 8-byte little-endian id (https://mariadb.com/kb/en/xid_event/).
std::optional<uint64_t> xid_of(Bytes event) {
  if (event.size() < codec::kEventHeaderSize + 8) return std::nullopt;
  ByteReader in(event.subspan(codec::kEventHeaderSize));
  return in.u64le();
}

}  // namespace

TailOutput::TailOutput(OutputFormat format, OutputStream& out, ChangeStreamOptions change_stream)
    : writer_(format, out), change_stream_(std::move(change_stream)) {
  if (format != OutputFormat::kRaw) writer_.enable_transaction_fields(change_stream_.schema);
}

void TailOutput::add(std::string_view file, uint64_t offset, Bytes event, bool repeated) {
  Entry entry{offset, bytes_.size(), event.size(), file != last_file_, repeated, {}};
  if (entry.new_file) {
    last_file_ = std::string(file);
    entry.file = last_file_;
  }
  bytes_.insert(bytes_.end(), event.begin(), event.end());
  entries_.push_back(std::move(entry));
}

Status TailOutput::add_tracked(std::string_view file, uint64_t offset, Bytes event) {
  add(file, offset, event);
  if (type_of(event) == codec::code(codec::EventType::kFormatDescription)) {
    MZL_TRY(codec::ClosedFileFormatDescription closed, codec::closed_file_format_description(event));
    added_fd_ = std::move(closed.fd);
  }
  MZL_TRY(codec::RawEvent raw, codec::frame_event(event, offset, added_fd_, false));
  auto step = tracker_.add(raw, added_fd_);
  if (!step.ok()) return std::move(step).error().at_r(std::string(file), offset);
  if (step->boundary) mark_boundary();
  return ok_status();
}

void TailOutput::mark_boundary() {
  if (boundaries_.empty() || boundaries_.back() != entries_.size()) boundaries_.push_back(entries_.size());
  releasable_ = entries_.size();
}

Status TailOutput::release_transaction(size_t begin, size_t end) {
  if (writer_.format() != OutputFormat::kRaw) {
    // What each line needs from the transaction's end: its XID, and which rows event is its last.
    std::optional<uint64_t> xid;
    size_t last_rows = end;
    for (size_t i = begin; i < end; ++i) {
      const Bytes event(bytes_.data() + entries_[i].begin, entries_[i].size);
      const uint8_t type = type_of(event);
      if (codec::is_rows_event(type)) last_rows = i;
      if (type == codec::code(codec::EventType::kXid)) xid = xid_of(event);
    }
    writer_.begin_transaction(xid);
    writer_.set_silent(false);
    for (size_t i = begin; i < end; ++i) {
      const Entry& entry = entries_[i];
      if (entry.new_file) {
        writer_.set_file(entry.file);
        ctx_ = codec::DecoderContext(entry.file);
      }
      const Bytes event(bytes_.data() + entry.begin, entry.size);
      MZL_TRY(codec::RawEvent raw, codec::frame_event(event, entry.offset, ctx_.format(), false));
      if (entry.repeated) {
        MZL_TRY(codec::Event ignored, codec::decode_event(raw, ctx_));  // the description for what follows
        (void)ignored;
        continue;
      }
      if (i == begin && change_stream_.after_gtid && is_gtid_event(raw.header.type_code)) {
        // A transaction the consumer has (--after-gtid): decoded for the decoder context and the schema
        // history, not written.
        MZL_TRY(codec::Event gtid_event, codec::decode_event(raw, ctx_));
        MZL_TRY(std::string gtid, EventWriter::gtid_of(gtid_event));
        writer_.set_silent(change_stream_.after_gtid->contains(gtid));
      }
      if (i == last_rows) writer_.commit_next_rows();
      MZL_CHECK(writer_.write(raw, ctx_));
    }
    writer_.set_silent(false);
    return ok_status();
  }
  for (size_t i = begin; i < end; ++i) {
    const Entry& entry = entries_[i];
    if (entry.new_file) writer_.set_file(entry.file);
    MZL_CHECK(writer_.raw(Bytes(bytes_.data() + entry.begin, entry.size)));
  }
  return ok_status();
}

Status TailOutput::release() {
  if (releasable_ == 0) return ok_status();
  size_t begin = 0, used = 0;
  for (; used < boundaries_.size() && boundaries_[used] <= releasable_; ++used) {
    MZL_CHECK(release_transaction(begin, boundaries_[used]));
    begin = boundaries_[used];
  }
  boundaries_.erase(boundaries_.begin(), boundaries_.begin() + static_cast<std::ptrdiff_t>(used));
  for (size_t& boundary : boundaries_) boundary -= releasable_;
  const size_t released_bytes = releasable_ == entries_.size() ? bytes_.size() : entries_[releasable_].begin;
  bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(released_bytes));
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(releasable_));
  for (Entry& entry : entries_) entry.begin -= released_bytes;
  releasable_ = 0;
  return writer_.flush();
}

}  // namespace mzl::archive
