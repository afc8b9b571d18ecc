#include "mzl/codec/rows_event.h"

#include <zlib.h>

#include <fmt/format.h>

namespace mzl::codec {

namespace {

Error corrupt(std::string what) {
  return Error{ErrorCode::kCorrupt, "rows event: " + std::move(what)};
}

constexpr uint8_t kExtraInfoNdb = 0;
constexpr uint8_t kExtraInfoPart = 1;
constexpr size_t kRowsPostHeaderV2 = 10;

// Best-effort reading of the v2 extra-row-info chunks, as the server does: an unknown tag ends the walk.
RowsExtraInfo read_extra_info(uint8_t type_code, Bytes extra) {
  RowsExtraInfo info;
  ByteReader in(extra);
  while (!in.empty()) {
    const uint8_t tag = in.u8();
    if (tag == kExtraInfoNdb) {
      if (!in.has(1)) break;
      const uint8_t len = in.data()[in.position()];
      if (len < 2 || !in.has(len)) break;
      Bytes chunk = in.bytes(len);
      if (!info.ndb_info) info.ndb_info.emplace(chunk.begin(), chunk.end());
    } else if (tag == kExtraInfoPart) {
      const uint16_t id = in.u16le();
      if (!in.ok()) break;
      info.partition_id = id;
      if (rows_kind(type_code) == RowsKind::kUpdate || rows_kind(type_code) == RowsKind::kPartialUpdate) {
        const uint16_t source = in.u16le();
        if (!in.ok()) break;
        info.source_partition_id = source;
      }
    } else {
      break;
    }
  }
  return info;
}

bool is_compressed_type(uint8_t t) {
  return t >= 166 && t <= 171;
}

// MariaDB sql/log_event.cc binlog_get_uncompress_len / binlog_buf_uncompress: header byte 0x80 | alg << 4 |
// lenlen, lenlen big-endian bytes of uncompressed length, then the zlib stream.
Result<std::vector<uint8_t>> inflate_rows(Bytes compressed) {
  ByteReader in(compressed);
  const uint8_t header = in.u8();
  if (!in.ok() || (header & 0x80) == 0) return corrupt("compressed rows lack the compression header byte");
  if (((header >> 4) & 0x07) != 0)
    return Error{ErrorCode::kUnsupported,
                 fmt::format("rows compression algorithm {} (only zlib is known)", (header >> 4) & 0x07)};
  const size_t lenlen = header & 0x07;
  if (lenlen < 1 || lenlen > 4) return corrupt(fmt::format("compressed rows length-of-length {}", lenlen));
  const uint64_t length = in.uint_be(lenlen);
  if (!in.ok()) return corrupt("compressed rows length cut short");
  if (length > kMaxUncompressedRowsSize)
    return corrupt(fmt::format("compressed rows claim {} bytes uncompressed", length));
  Bytes data = in.rest();
  // zlib cannot expand more than ~1032:1; a larger claim is a lie we need not allocate for.
  if (length > data.size() * 1032 + 64) return corrupt("compressed rows claim an impossible size");
  std::vector<uint8_t> out(length);
  uLongf out_len = static_cast<uLongf>(length);
  const int rc = uncompress(out.data(), &out_len, data.data(), static_cast<uLong>(data.size()));
  if (rc != Z_OK || out_len != length)
    return corrupt(fmt::format("compressed rows do not inflate to the {} bytes declared", length));
  return out;
}

}  // namespace

bool is_rows_event(uint8_t t) {
  return (t >= 20 && t <= 25) || (t >= 30 && t <= 32) || t == 39 || (t >= 166 && t <= 171);
}

RowsKind rows_kind(uint8_t t) {
  switch (t) {
    case 20:
    case 23:
    case 30:
    case 166:
    case 169:
      return RowsKind::kWrite;
    case 21:
    case 24:
    case 31:
    case 167:
    case 170:
      return RowsKind::kUpdate;
    case 39:
      return RowsKind::kPartialUpdate;
    default:
      return RowsKind::kDelete;
  }
}

RowsKind RowsEvent::kind() const {
  return rows_kind(type_code);
}
bool RowsEvent::has_after_bitmap() const {
  return is_update() && type_code != 21;
}

Result<RowsEvent> decode_rows_event(uint8_t type_code, ByteReader& body, const FormatDescription& fd) {
  RowsEvent ev;
  MZL_CHECK(decode_rows_event(type_code, body, fd, ev));
  return ev;
}

Status decode_rows_event(uint8_t type_code, ByteReader& body, const FormatDescription& fd, RowsEvent& ev) {
  if (!is_rows_event(type_code)) return corrupt(fmt::format("type {} is not a rows event", type_code));
  // Every field is set afresh; the vectors are cleared, not freed.
  ev.type_code = type_code;
  ev.has_extra_data = false;
  ev.extra_data.clear();
  ev.extra_info = RowsExtraInfo{};
  ev.columns_before.clear();
  ev.columns_after.clear();
  ev.rows.clear();
  ev.compressed = false;
  ev.compressed_rows.clear();
  const uint8_t post_header = fd.post_header_length(type_code);
  ev.table_id_size = post_header == 6 ? 4 : 6;
  ev.table_id = body.uint_le(ev.table_id_size);
  ev.flags = body.u16le();
  if (post_header == kRowsPostHeaderV2) {
    ev.has_extra_data = true;
    const uint16_t extra_len = body.u16le();
    if (!body.ok()) return corrupt("post-header cut short");
    if (extra_len < 2 || !body.has(extra_len - 2u))
      return corrupt(fmt::format("extra data length {}", extra_len));
    Bytes extra = body.bytes(extra_len - 2u);
    ev.extra_data.assign(extra.begin(), extra.end());
    ev.extra_info = read_extra_info(type_code, extra);
  }
  ev.column_count = body.packed_uint();
  if (!body.ok()) return corrupt("post-header cut short");
  const uint64_t bitmap_size = (ev.column_count + 7) / 8;
  if (ev.column_count > uint64_t{body.remaining()} * 8) return corrupt("column bitmap runs past the body");
  Bytes before = body.bytes(bitmap_size);
  ev.columns_before.assign(before.begin(), before.end());
  if (ev.has_after_bitmap()) {
    Bytes after = body.bytes(bitmap_size);
    if (!body.ok()) return corrupt("after-image column bitmap runs past the body");
    ev.columns_after.assign(after.begin(), after.end());
  }
  Bytes rows = body.rest();
  if (!body.ok()) return corrupt("column bitmap runs past the body");
  if (is_compressed_type(type_code)) {
    ev.compressed = true;
    ev.compressed_rows.assign(rows.begin(), rows.end());
    MZL_TRY(ev.rows, inflate_rows(rows));
  } else {
    ev.rows.assign(rows.begin(), rows.end());
  }
  return ok_status();
}

void encode_rows_event(const RowsEvent& ev, const FormatDescription&, ByteWriter& out) {
  out.uint_le(ev.table_id, ev.table_id_size);
  out.u16le(ev.flags);
  if (ev.has_extra_data) {
    out.u16le(static_cast<uint16_t>(ev.extra_data.size() + 2));
    out.bytes(ev.extra_data);
  }
  out.packed_uint(ev.column_count);
  out.bytes(ev.columns_before);
  if (ev.has_after_bitmap()) out.bytes(ev.columns_after);
  out.bytes(ev.compressed ? ev.compressed_rows : ev.rows);
}

}  // namespace mzl::codec
