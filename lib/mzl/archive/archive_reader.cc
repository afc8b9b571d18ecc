#include "mzl/archive/archive_reader.h"

#include <fmt/format.h>

#include "mzl/archive/binlog_file_list.h"
#include "mzl/codec/event_type.h"

namespace mzl::archive {

ArchiveReader::ArchiveReader(std::vector<std::filesystem::path> files, ArchiveReaderOptions options)
    : files_(std::move(files)), options_(options) {}

Status ArchiveReader::open_next() {
  const std::filesystem::path& path = files_[opened_];
  MZL_TRY(auto reader, codec::BinlogFileReader::open(
                           path.string(), {.verify_checksums = true, .buffer_size = options_.buffer_size}));
  reader_.emplace(std::move(reader));
  ++opened_;
  event_.file = server_file_name(path);
  event_.path = path.string();
  if (tracker_.in_transaction()) {
    // The previous file ended inside a transaction: keep the GTID state of its last complete one.
    if (options_.continue_past_damage) {
      abandon_transaction();
    } else {
      MZL_TRY(tracker_, TransactionTracker::at_boundary(tracker_.flavour(), tracker_.gtid_position()));
    }
  }
  return ok_status();
}

void ArchiveReader::abandon_transaction() {
  // A GTID state that does not read back only costs the GTIDs: the boundaries do not depend on it.
  auto fresh = TransactionTracker::at_boundary(tracker_.flavour(), tracker_.gtid_position());
  tracker_ = fresh.ok() ? std::move(fresh).value() : TransactionTracker();
}

void ArchiveReader::skip_rest_of_file() {
  if (!reader_) return;
  reader_.reset();
  abandon_transaction();
}

Result<const ArchiveEvent*> ArchiveReader::item_without_event(ArchiveItem item, std::optional<Error> damage) {
  event_.item = item;
  event_.damage = std::move(damage);
  event_.raw = codec::RawEvent{};
  event_.format_ = reader_ ? &reader_->format() : nullptr;
  event_.starts_transaction = event_.ends_transaction = event_.in_transaction = false;
  event_.gtid.clear();
  return &event_;
}

Error ArchiveReader::partial_end(Error error) const {
  if (opened_ < files_.size()) {
    error.code = ErrorCode::kCorrupt;
    error.message =
        "truncated: the file ends inside an event, and a later file exists (" + error.message + ")";
  } else {
    error.message = "the file ends inside an event (truncated, or still being written): " + error.message;
  }
  return error;
}

Result<const ArchiveEvent*> ArchiveReader::next() {
  if (failed_) return *failed_;
  auto fail = [&](Error error) -> Result<const ArchiveEvent*> {
    failed_ = error;
    return error;
  };
  while (!done_) {
    if (!reader_) {
      if (opened_ == files_.size()) break;
      if (Status opened = open_next(); !opened.ok()) return fail(std::move(opened).error());
    }
    auto next = reader_->next();
    if (!next.ok()) {
      Error error = std::move(next).error();
      const bool unreadable = error.code == ErrorCode::kIo || error.code == ErrorCode::kNotFound;
      if (options_.continue_past_damage && !unreadable) {
        abandon_transaction();
        if (error.code == ErrorCode::kChecksumMismatch) {  // consumed: the next event follows
          const uint64_t at = error.offset.value_or(reader_->offset());
          auto out = item_without_event(ArchiveItem::kUnreadableEvent, std::move(error));
          event_.raw.offset = at;
          return out;
        }
        event_.stopped_at = reader_->offset();
        reader_.reset();
        return item_without_event(ArchiveItem::kFileEnd, std::move(error));
      }
      if (error.code != ErrorCode::kNeedMoreData) return fail(std::move(error));
      if (opened_ == files_.size() && options_.last_file_may_be_partial) break;
      return fail(partial_end(std::move(error)));
    }
    if (!next->has_value()) {
      event_.stopped_at = reader_->offset();
      reader_.reset();
      if (options_.continue_past_damage) return item_without_event(ArchiveItem::kFileEnd, std::nullopt);
      continue;
    }
    const codec::RawEvent& raw = **next;
    const bool was_open = tracker_.in_transaction();
    auto step = tracker_.add(raw, reader_->format());
    std::optional<Error> damage;
    if (!step.ok()) {
      damage = std::move(step).error().at_r(event_.path, raw.offset);
      if (!options_.continue_past_damage) return fail(std::move(*damage));
      abandon_transaction();
      step = TransactionTracker::Step{};
    }
    const bool is_format = raw.header.type_code == codec::code(codec::EventType::kFormatDescription);
    if (opened_ == 1 && raw.offset < options_.start_position && !is_format) continue;
    event_.item = ArchiveItem::kEvent;
    event_.damage = std::move(damage);
    event_.raw = raw;
    event_.format_ = &reader_->format();
    event_.starts_transaction = step->starts;
    event_.ends_transaction = step->ends;
    event_.in_transaction = !event_.damage && (was_open || step->starts);
    event_.gtid.assign(step->gtid);  // reuses the string's memory
    return &event_;
  }
  done_ = true;
  return nullptr;
}

}  // namespace mzl::archive
