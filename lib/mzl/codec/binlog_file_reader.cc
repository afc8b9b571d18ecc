#include "mzl/codec/binlog_file_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "mzl/codec/event_type.h"

namespace mzl::codec {

BinlogFileReader::BinlogFileReader(std::unique_ptr<InputStream> input, BinlogFileReaderOptions options)
    : input_(std::move(input)),
      options_(options),
      fd_(default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined)),
      buffer_(std::max<size_t>(options.buffer_size, kEventHeaderSize)) {}

Result<BinlogFileReader> BinlogFileReader::open(const std::string& path, BinlogFileReaderOptions options) {
  MZL_TRY(auto input, open_input(path));
  return BinlogFileReader(std::move(input), options);
}

Error BinlogFileReader::need_more(const std::string& what) const {
  return Error{ErrorCode::kNeedMoreData, what}.at_r(name(), offset_);
}

Result<bool> BinlogFileReader::fill(size_t n) {
  if (end_ - begin_ >= n) return true;
  if (begin_ + n > buffer_.size()) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ - begin_ < n) {
    auto got = input_->read(std::span<uint8_t>(buffer_).subspan(end_));
    if (!got.ok()) return std::move(got).error().at_r(name(), offset_);
    if (*got == 0) return false;
    end_ += *got;
  }
  return true;
}

Result<std::optional<RawEvent>> BinlogFileReader::next() {
  if (consume_on_next_ > 0) {
    begin_ += std::min(consume_on_next_, end_ - begin_);
    offset_ += consume_on_next_;
    consume_on_next_ = 0;
    large_.clear();
  }
  if (!magic_checked_) {
    MZL_TRY(bool have, fill(kBinlogMagicSize));
    if (!have) {
      if (end_ == begin_) {
        return Error{ErrorCode::kCorrupt, "empty file: no binlog magic"}.at_r(name(), 0);
      }
      if (!std::equal(buffer_.begin() + static_cast<ptrdiff_t>(begin_),
                      buffer_.begin() + static_cast<ptrdiff_t>(end_), kBinlogMagic)) {
        return Error{ErrorCode::kCorrupt, "not a binlog file (bad magic)"}.at_r(name(), 0);
      }
      return need_more("file ends inside the 4-byte binlog magic");
    }
    if (!std::equal(kBinlogMagic, kBinlogMagic + kBinlogMagicSize,
                    buffer_.begin() + static_cast<ptrdiff_t>(begin_))) {
      return Error{ErrorCode::kCorrupt, "not a binlog file (bad magic: expected FE 62 69 6E)"}.at_r(name(),
                                                                                                    0);
    }
    begin_ += kBinlogMagicSize;
    offset_ = kBinlogMagicSize;
    magic_checked_ = true;
  }

  if (!large_.empty()) {
    return frame_large(load_event_header(large_.data()));  // large_ starts with the whole header
  }
  MZL_TRY(bool have_header, fill(kEventHeaderSize));
  if (!have_header) {
    if (end_ == begin_) {
      MZL_CHECK(input_->finish());
      return std::optional<RawEvent>();
    }
    return need_more(
        fmt::format("file ends inside an event header ({} of {} bytes)", end_ - begin_, kEventHeaderSize));
  }
  const EventHeader header = load_event_header(buffer_.data() + begin_);
  if (header.event_size < kEventHeaderSize) {
    return Error{ErrorCode::kCorrupt, fmt::format("event_size {} is below the 19-byte header (type {})",
                                                  header.event_size, event_type_name(header.type_code))}
        .at_r(name(), offset_);
  }
  if (header.event_size > buffer_.size()) return frame_large(header);
  MZL_TRY(bool have_event, fill(header.event_size));
  if (!have_event) {
    return need_more(fmt::format("file ends inside a {} event ({} of {} bytes)",
                                 event_type_name(header.type_code), end_ - begin_, header.event_size));
  }
  return finish_event(Bytes(buffer_).subspan(begin_, header.event_size), header);
}

Result<std::optional<RawEvent>> BinlogFileReader::frame_large(const EventHeader& header) {
  const uint32_t event_size = header.event_size;
  if (large_.empty()) {
    large_.assign(buffer_.begin() + static_cast<ptrdiff_t>(begin_),
                  buffer_.begin() + static_cast<ptrdiff_t>(end_));
    begin_ = end_ = 0;
  }
  while (large_.size() < event_size) {
    const size_t want = std::min<size_t>(event_size - large_.size(), buffer_.size());
    auto got = input_->read(std::span<uint8_t>(buffer_).first(want));
    if (!got.ok()) return std::move(got).error().at_r(name(), offset_);
    if (*got == 0) {
      return need_more(fmt::format("file ends inside an event ({} of {} bytes)", large_.size(), event_size));
    }
    large_.insert(large_.end(), buffer_.begin(), buffer_.begin() + static_cast<ptrdiff_t>(*got));
  }
  return finish_event(Bytes(large_), header);
}

Result<std::optional<RawEvent>> BinlogFileReader::finish_event(Bytes data, const EventHeader& header) {
  auto framed = frame_event(data, offset_, fd_, options_.verify_checksums, header);
  if (!framed.ok()) {
    Error error = std::move(framed).error();
    error.at(name(), offset_);
    if (error.code == ErrorCode::kChecksumMismatch) consume_on_next_ = data.size();
    return error;
  }
  RawEvent event = std::move(framed).value();
  if (event.header.type_code == code(EventType::kFormatDescription)) {
    ByteReader body(event.body);
    auto fd = decode_format_description(body, fd_);
    if (!fd.ok()) {
      consume_on_next_ = data.size();
      return std::move(fd).error().at_r(name(), offset_);
    }
    fd_ = std::move(fd).value();
  }
  consume_on_next_ = data.size();
  return std::optional<RawEvent>(event);
}

}  // namespace mzl::codec
