#include "mzl/net/packet_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace mzl::net {

namespace {

// Reads of less than this much free space are not worth a system call: compact the buffer first.
constexpr size_t kMinReadSpaceDivisor = 4;

Error closed_inside_pieces(size_t arrived, size_t known_length, bool more_pieces) {
  return Error(ErrorCode::kNetwork,
               fmt::format("the server closed the connection inside a packet ({} of its {}{} bytes arrived)",
                           arrived, more_pieces ? "at least " : "", known_length));
}

}  // namespace

PacketReader::PacketReader(std::unique_ptr<ByteSource> source, size_t max_payload, size_t buffer_size)
    : source_(std::move(source)),
      max_payload_(max_payload),
      buffer_(new uint8_t[std::max(buffer_size, kPacketHeaderSize)]),
      capacity_(std::max(buffer_size, kPacketHeaderSize)) {}

uint32_t PacketReader::buffered_piece_length() const {
  const uint8_t* header = buffer_.get() + begin_;
  return static_cast<uint32_t>(header[0]) | static_cast<uint32_t>(header[1]) << 8 |
         static_cast<uint32_t>(header[2]) << 16;
}

Result<bool> PacketReader::read_more() {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (capacity_ - end_ < capacity_ / kMinReadSpaceDivisor) {
    // Moves less than one packet: begin_ is at most one (unfinished) packet behind end_.
    std::memmove(buffer_.get(), buffer_.get() + begin_, buffered());
    end_ -= begin_;
    begin_ = 0;
  }
  MZL_TRY(const size_t got, source_->read_some(buffer_.get() + end_, capacity_ - end_));
  end_ += got;
  return got > 0;
}

Result<bool> PacketReader::need(size_t bytes) {
  while (buffered() < bytes) {
    if (begin_ + bytes > capacity_) {
      std::memmove(buffer_.get(), buffer_.get() + begin_, buffered());
      end_ -= begin_;
      begin_ = 0;
    }
    MZL_TRY(const bool more, read_more());
    if (!more) return false;
  }
  return true;
}

Status PacketReader::need_header(size_t joined_so_far) {
  MZL_TRY(const bool whole, need(kPacketHeaderSize));
  if (whole) return ok_status();
  if (joined_so_far > 0) return closed_inside_pieces(joined_so_far, joined_so_far, true);
  if (buffered() == 0) return Error(ErrorCode::kNetwork, "the server closed the connection");
  return Error(ErrorCode::kNetwork,
               fmt::format("the server closed the connection inside a packet header ({} of its {} bytes "
                           "arrived)",
                           buffered(), kPacketHeaderSize));
}

Result<Bytes> PacketReader::next() {
  // The common case first, without a Status per step: the whole packet is already buffered.
  if (buffered() >= kPacketHeaderSize) {
    const size_t length = buffered_piece_length();
    if (buffered() - kPacketHeaderSize >= length && length < kMaxPacketPieceLength && length < max_payload_) {
      const Bytes payload(buffer_.get() + begin_ + kPacketHeaderSize, length);
      begin_ += kPacketHeaderSize + length;
      return payload;
    }
  }
  return read_packet();
}

Result<Bytes> PacketReader::read_packet() {
  MZL_CHECK(need_header(0));
  const size_t length = buffered_piece_length();
  if (length >= max_payload_) {
    return Error(ErrorCode::kUnsupported,
                 fmt::format("a packet of {} bytes, at least the limit of {} bytes", length, max_payload_));
  }
  if (length == kMaxPacketPieceLength || kPacketHeaderSize + length > capacity_) return join_pieces();
  MZL_TRY(const bool whole, need(kPacketHeaderSize + length));
  if (!whole) {
    return Error(ErrorCode::kNetwork,
                 fmt::format("the server closed the connection inside a packet ({} of its {} bytes arrived)",
                             buffered() - kPacketHeaderSize, length));
  }
  const Bytes payload(buffer_.get() + begin_ + kPacketHeaderSize, length);
  begin_ += kPacketHeaderSize + length;
  return payload;
}

// The payload is copied piece by piece into joined_: what the receive buffer holds first, then, for a
// large remainder, read straight into joined_ (one copy, as in the connector).
Result<Bytes> PacketReader::join_pieces() {
  joined_.clear();
  uint8_t expected_sequence = 0;
  for (bool first = true;; first = false) {
    if (!first) MZL_CHECK(need_header(joined_.size()));
    const size_t length = buffered_piece_length();
    const uint8_t sequence = buffer_[begin_ + 3];
    if (!first && sequence != expected_sequence) {
      return Error(ErrorCode::kCorrupt,
                   fmt::format("piece {} bytes into a packet has sequence id {}, expected {}", joined_.size(),
                               sequence, expected_sequence));
    }
    if (joined_.size() + length >= max_payload_) {
      return Error(ErrorCode::kUnsupported, fmt::format("a packet of at least {} bytes, past the limit of {}",
                                                        joined_.size() + length, max_payload_));
    }
    begin_ += kPacketHeaderSize;
    const size_t start = joined_.size();
    joined_.resize(start + length);
    size_t got = 0;
    while (got < length) {
      if (buffered() == 0 && length - got >= capacity_ / 2) {
        MZL_TRY(const size_t read, source_->read_some(joined_.data() + start + got, length - got));
        if (read == 0) {
          return closed_inside_pieces(start + got, start + length, length == kMaxPacketPieceLength);
        }
        got += read;
        continue;
      }
      if (buffered() == 0) {
        MZL_TRY(const bool more, read_more());
        if (!more) {
          return closed_inside_pieces(start + got, start + length, length == kMaxPacketPieceLength);
        }
      }
      const size_t take = std::min(buffered(), length - got);
      std::memcpy(joined_.data() + start + got, buffer_.get() + begin_, take);
      begin_ += take;
      got += take;
    }
    if (length < kMaxPacketPieceLength) break;
    expected_sequence = static_cast<uint8_t>(sequence + 1);
  }
  return Bytes(joined_.data(), joined_.size());
}

Result<bool> PacketReader::wait_readable(std::chrono::milliseconds timeout) {
  if (buffered() >= kPacketHeaderSize) {
    const size_t length = buffered_piece_length();
    if (buffered() >= kPacketHeaderSize + length) return true;
  }
  return source_->wait_readable(timeout);
}

}  // namespace mzl::net
