#include "mzl/archive/tail_output.h"

#include "mzl/codec/event_decoder.h"
#include "mzl/codec/raw_event.h"

namespace mzl::archive {

void TailOutput::add(std::string_view file, uint64_t offset, Bytes event, bool repeated) {
  Entry entry{offset, bytes_.size(), event.size(), file != last_file_, repeated, {}};
  if (entry.new_file) {
    last_file_ = std::string(file);
    entry.file = last_file_;
  }
  bytes_.insert(bytes_.end(), event.begin(), event.end());
  entries_.push_back(std::move(entry));
}

Status TailOutput::release() {
  if (releasable_ == 0) return ok_status();
  for (size_t i = 0; i < releasable_; ++i) {
    const Entry& entry = entries_[i];
    if (entry.new_file) {
      writer_.set_file(entry.file);
      ctx_ = codec::DecoderContext(entry.file);
    }
    const Bytes event(bytes_.data() + entry.begin, entry.size);
    if (writer_.format() == OutputFormat::kRaw) {
      MZL_CHECK(writer_.raw(event));
      continue;
    }
    MZL_TRY(codec::RawEvent raw, codec::frame_event(event, entry.offset, ctx_.format(), false));
    if (entry.repeated) {
      MZL_TRY(codec::Event ignored, codec::decode_event(raw, ctx_));  // the description for what follows
      (void)ignored;
      continue;
    }
    MZL_CHECK(writer_.write(raw, ctx_));
  }
  const size_t released_bytes = releasable_ == entries_.size() ? bytes_.size() : entries_[releasable_].begin;
  bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(released_bytes));
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(releasable_));
  for (Entry& entry : entries_) entry.begin -= released_bytes;
  releasable_ = 0;
  return writer_.flush();
}

}  // namespace mzl::archive
