#include "mzl/codec/format_description.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "mzl/codec/event_header.h"
#include "mzl/codec/raw_event.h"

namespace mzl::codec {

namespace {

constexpr size_t kServerVersionSize = 50;

struct Version {
  int major = 0;
  int minor = 0;
  int patch = 0;
};

Version parse_version(std::string_view text) {
  Version v;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3 && p < end; ++i) {
    auto [next, ec] = std::from_chars(p, end, *parts[i]);
    if (ec != std::errc()) break;
    p = next;
    if (p == end || *p != '.') break;
    ++p;
  }
  return v;
}

bool at_least(const Version& v, int major, int minor, int patch) {
  if (v.major != major) return v.major > major;
  if (v.minor != minor) return v.minor > minor;
  return v.patch >= patch;
}

// Post-header lengths as written by MySQL 5.5.27, 8.0.40 and MariaDB 10.5.15 (fixtures), for
// default_format_description().
constexpr uint8_t kMysql55PostHeaders[] = {56, 13, 0, 8,  0, 18, 0, 4, 4, 4, 4, 18, 0, 0,
                                           84, 0,  4, 26, 8, 0,  0, 0, 8, 8, 8, 2,  0};
constexpr uint8_t kMysql80PostHeaders[] = {0,  13, 0,  8,  0,  0,  0, 0,  4,  0, 4,  0,  0, 0,
                                           98, 0,  4,  26, 8,  0,  0, 0,  8,  8, 8,  2,  0, 0,
                                           0,  10, 10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0};
constexpr uint8_t kMariaPostHeadersLow[] = {56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0,  228, 0,
                                            4,  26, 8, 0, 0, 0,  8, 8, 8, 2, 0, 0,  0, 10, 10,  10};
constexpr uint8_t kMariaPostHeadersHigh[] = {4, 19, 4, 0, 13, 8, 8, 8, 10, 10, 10};  // types 161..171

}  // namespace

bool server_version_has_checksum_alg(std::string_view server_version) {
  const Version v = parse_version(server_version);
  if (flavour_of_server_version(server_version) == Flavour::kMariaDB) return at_least(v, 5, 3, 0);
  return at_least(v, 5, 6, 1);
}

Flavour flavour_of_server_version(std::string_view server_version) {
  return server_version.find("MariaDB") != std::string_view::npos ? Flavour::kMariaDB : Flavour::kMySQL;
}

Result<FormatDescription> decode_format_description(ByteReader& body, const FormatDescription& /*fd*/) {
  FormatDescription out;
  out.binlog_version = body.u16le();
  const Bytes version = body.bytes(kServerVersionSize);
  out.create_timestamp = body.u32le();
  out.header_length = body.u8();
  if (!body.ok()) return Error{ErrorCode::kCorrupt, "FORMAT_DESCRIPTION body shorter than its fixed part"};
  out.server_version_raw.assign(version.begin(), version.end());
  const auto nul = std::find(version.begin(), version.end(), uint8_t{0});
  out.server_version.assign(version.begin(), nul);
  out.flavour = flavour_of_server_version(out.server_version);
  if (out.header_length < 19) {
    return Error{ErrorCode::kCorrupt,
                 "FORMAT_DESCRIPTION header_length " + std::to_string(out.header_length) + " is below 19"};
  }
  Bytes rest = body.rest();
  if (server_version_has_checksum_alg(out.server_version)) {
    if (rest.empty()) return Error{ErrorCode::kCorrupt, "FORMAT_DESCRIPTION lacks its checksum_alg byte"};
    out.checksum_alg = static_cast<ChecksumAlg>(rest.back());
    rest = rest.first(rest.size() - 1);
  } else {
    out.checksum_alg = ChecksumAlg::kUndefined;
  }
  out.post_header_lengths.assign(rest.begin(), rest.end());
  return out;
}

void encode_format_description(const FormatDescription& event, const FormatDescription& /*fd*/,
                               ByteWriter& out) {
  out.u16le(event.binlog_version);
  if (event.server_version_raw.size() == kServerVersionSize) {
    out.bytes(event.server_version_raw);
  } else {
    std::string version = event.server_version.substr(0, kServerVersionSize);
    version.resize(kServerVersionSize, '\0');
    out.string(version);
  }
  out.u32le(event.create_timestamp);
  out.u8(event.header_length);
  out.bytes(event.post_header_lengths);
  if (server_version_has_checksum_alg(event.server_version)) out.u8(static_cast<uint8_t>(event.checksum_alg));
}

FormatDescription default_format_description(Flavour flavour, ChecksumAlg alg) {
  FormatDescription fd;
  fd.flavour = flavour;
  fd.checksum_alg = alg;
  const bool with_alg = alg != ChecksumAlg::kUndefined;
  if (flavour == Flavour::kMariaDB) {
    fd.server_version = with_alg ? "10.11.0-MariaDB" : "5.1.0-MariaDB";
    fd.post_header_lengths.assign(std::begin(kMariaPostHeadersLow), std::end(kMariaPostHeadersLow));
    fd.post_header_lengths.resize(160, 0);
    fd.post_header_lengths.insert(fd.post_header_lengths.end(), std::begin(kMariaPostHeadersHigh),
                                  std::end(kMariaPostHeadersHigh));
  } else if (with_alg) {
    fd.server_version = "8.0.40";
    fd.post_header_lengths.assign(std::begin(kMysql80PostHeaders), std::end(kMysql80PostHeaders));
  } else {
    fd.server_version = "5.5.0";
    fd.post_header_lengths.assign(std::begin(kMysql55PostHeaders), std::end(kMysql55PostHeaders));
  }
  fd.server_version_raw.assign(fd.server_version.begin(), fd.server_version.end());
  fd.server_version_raw.resize(kServerVersionSize, 0);
  return fd;
}

namespace {

constexpr size_t kLogPosOffset = 13;
constexpr size_t kFlagsOffset = 17;

void store_u32le(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

Result<ClosedFileFormatDescription> closed_file_format_description(Bytes event) {
  MZL_TRY(RawEvent raw, frame_event(event, kBinlogMagicSize, FormatDescription{}, true));
  ByteReader body(raw.body);
  ClosedFileFormatDescription out;
  MZL_TRY(out.fd, decode_format_description(body, FormatDescription{}));
  const uint64_t file_end = kBinlogMagicSize + event.size();
  const EventHeader& header = raw.header;
  if (header.log_pos != 0 && header.log_pos != file_end) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("a FORMAT_DESCRIPTION that ends at {} cannot start a file (it ends at {})",
                             header.log_pos, file_end)};
  }
  out.event.assign(event.begin(), event.end());
  uint8_t* ev = out.event.data();
  const bool changed = (header.flags & kFlagBinlogInUse) != 0 || header.log_pos == 0;
  ev[kFlagsOffset] = static_cast<uint8_t>(ev[kFlagsOffset] & ~kFlagBinlogInUse);
  store_u32le(ev + kLogPosOffset, static_cast<uint32_t>(file_end));
  if (changed && out.fd.has_crc32()) {
    store_u32le(ev + event.size() - 4, event_crc32(Bytes(ev, event.size() - 4)));
  }
  return out;
}

}  // namespace mzl::codec
