#include "mzl/codec/raw_event.h"

#include <fmt/format.h>

#include <algorithm>

#include "mzl/codec/event_type.h"
#include "mzl/util/crc32.h"

namespace mzl::codec {

namespace {

constexpr size_t kChecksumSize = 4;
constexpr size_t kFlagsOffset = 17;  // flags u16 at the end of the 19-byte header
constexpr size_t kServerVersionOffset = kEventHeaderSize + 2;
constexpr size_t kServerVersionSize = 50;

bool is_format_description(uint8_t type_code) {
  return type_code == code(EventType::kFormatDescription);
}

// Where the checksum_alg byte sits for a FORMAT_DESCRIPTION: (has 4-byte checksum field, alg is CRC32).
struct FdChecksum {
  bool has_field = false;
  bool is_crc32 = false;
  bool too_short = false;  // the version says alg byte + checksum, but the event cannot hold them
};

FdChecksum fd_checksum(Bytes event) {
  FdChecksum out;
  if (event.size() < kServerVersionOffset + kServerVersionSize) return out;
  const Bytes raw = event.subspan(kServerVersionOffset, kServerVersionSize);
  const auto nul = std::find(raw.begin(), raw.end(), uint8_t{0});
  const std::string_view version(reinterpret_cast<const char*>(raw.data()),
                                 static_cast<size_t>(nul - raw.begin()));
  if (!server_version_has_checksum_alg(version)) return out;
  // create_timestamp u32, header_length u8, alg u8, checksum.
  if (event.size() < kServerVersionOffset + kServerVersionSize + 4 + 1 + 1 + kChecksumSize) {
    out.too_short = true;
    return out;
  }
  out.has_field = true;
  out.is_crc32 = event[event.size() - kChecksumSize - 1] == static_cast<uint8_t>(ChecksumAlg::kCrc32);
  return out;
}

Error header_needs_more(size_t available, uint64_t offset) {
  return Error{ErrorCode::kNeedMoreData,
               fmt::format("event header needs {} bytes, {} available", kEventHeaderSize, available)}
      .at_r("", offset);
}

}  // namespace

uint32_t event_crc32(Bytes event_without_checksum) {
  if (event_without_checksum.size() > kFlagsOffset && is_format_description(event_without_checksum[4]) &&
      (event_without_checksum[kFlagsOffset] & 0x1)) {
    uint8_t header[kEventHeaderSize];
    const size_t n = std::min(event_without_checksum.size(), kEventHeaderSize);
    std::copy_n(event_without_checksum.begin(), n, header);
    header[kFlagsOffset] &= static_cast<uint8_t>(~kFlagBinlogInUse);
    const uint32_t head = crc32(Bytes(header, n));
    return crc32(event_without_checksum.subspan(n), head);
  }
  return crc32(event_without_checksum);
}

FormatDescription without_checksum(const FormatDescription& fd) {
  FormatDescription out = fd;
  out.checksum_alg = ChecksumAlg::kOff;
  return out;
}

Result<RawEvent> frame_event(Bytes buffer, uint64_t offset, const FormatDescription& fd,
                             bool verify_checksum) {
  if (buffer.size() < kEventHeaderSize) return header_needs_more(buffer.size(), offset);
  return frame_event(buffer, offset, fd, verify_checksum, load_event_header(buffer.data()));
}

Result<RawEvent> frame_event(Bytes buffer, uint64_t offset, const FormatDescription& fd, bool verify_checksum,
                             const EventHeader& header) {
  if (buffer.size() < kEventHeaderSize) return header_needs_more(buffer.size(), offset);
  RawEvent ev;
  ev.offset = offset;
  ev.header = header;
  if (ev.header.event_size < kEventHeaderSize) {
    return Error{ErrorCode::kCorrupt, fmt::format("event_size {} is below the 19-byte header (type {})",
                                                  ev.header.event_size, ev.header.type_code)}
        .at_r("", offset);
  }
  if (ev.header.event_size > buffer.size()) {
    return Error{ErrorCode::kNeedMoreData,
                 fmt::format("event of {} bytes (type {}) but only {} available", ev.header.event_size,
                             event_type_name(ev.header.type_code), buffer.size())}
        .at_r("", offset);
  }
  ev.data = buffer.first(ev.header.event_size);

  bool has_field = false;
  bool is_crc32 = false;
  if (is_format_description(ev.header.type_code)) {
    const FdChecksum c = fd_checksum(ev.data);
    if (c.too_short) {
      return Error{
          ErrorCode::kCorrupt,
          fmt::format("FORMAT_DESCRIPTION of {} bytes is too short for its checksum_alg and checksum",
                      ev.header.event_size)}
          .at_r("", offset);
    }
    has_field = c.has_field;
    is_crc32 = c.is_crc32;
  } else {
    has_field = is_crc32 = fd.has_crc32();
  }
  if (has_field && ev.data.size() < kEventHeaderSize + kChecksumSize) {
    return Error{ErrorCode::kCorrupt, fmt::format("event_size {} leaves no room for the CRC32 (type {})",
                                                  ev.header.event_size, event_type_name(ev.header.type_code))}
        .at_r("", offset);
  }
  const size_t checksum_size = has_field ? kChecksumSize : 0;
  ev.body = ev.data.subspan(kEventHeaderSize, ev.data.size() - kEventHeaderSize - checksum_size);
  if (!has_field) return ev;

  ev.checksum = static_cast<uint32_t>(load_le<4>(ev.data.data() + ev.data.size() - kChecksumSize));
  if (!is_crc32 || !verify_checksum) return ev;
  const uint32_t computed = event_crc32(ev.data.first(ev.data.size() - kChecksumSize));
  if (computed != *ev.checksum) {
    return Error{ErrorCode::kChecksumMismatch,
                 fmt::format("{} event CRC32 mismatch: stored {:08x}, computed {:08x}",
                             event_type_name(ev.header.type_code), *ev.checksum, computed)}
        .at_r("", offset);
  }
  ev.checksum_verified = true;
  return ev;
}

}  // namespace mzl::codec
