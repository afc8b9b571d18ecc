#include "mzl/codec/query_event.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>

#include "mzl/codec/event_type.h"

namespace mzl::codec {

namespace {

constexpr size_t kQueryPostHeaderV4 = 13;  // with status_vars_len
constexpr size_t kQueryPostHeaderOld = 11;
constexpr uint8_t kMaxDbsInEventMts = 16;
constexpr size_t kMaxCompressedQuery = 1u << 30;  // max_allowed_packet's limit

Error corrupt(std::string what) {
  return Error{ErrorCode::kCorrupt, std::move(what)};
}

std::string take_string(ByteReader& in, size_t n) {
  return std::string(in.string(n));
}

Status parse_one(uint8_t code, ByteReader& in, QueryStatusVars& v) {
  switch (code) {
    case kQFlags2:
      v.flags2 = in.u32le();
      break;
    case kQSqlMode:
      v.sql_mode = in.u64le();
      break;
    case kQCatalog: {
      const uint8_t n = in.u8();
      v.catalog = take_string(in, n);
      if (in.u8() != 0 && in.ok()) return corrupt("Q_CATALOG not NUL-terminated");
      break;
    }
    case kQCatalogNz:
      v.catalog = take_string(in, in.u8());
      break;
    case kQAutoIncrement:
      v.auto_increment_increment = in.u16le();
      v.auto_increment_offset = in.u16le();
      break;
    case kQCharset:
      v.charset_client = in.u16le();
      v.collation_connection = in.u16le();
      v.collation_server = in.u16le();
      break;
    case kQTimeZone:
      v.time_zone = take_string(in, in.u8());
      break;
    case kQLcTimeNames:
      v.lc_time_names = in.u16le();
      break;
    case kQCharsetDatabase:
      v.charset_database = in.u16le();
      break;
    case kQTableMapForUpdate:
      v.table_map_for_update = in.u64le();
      break;
    case kQMasterDataWritten:
      v.master_data_written = in.u32le();
      break;
    case kQInvoker:
      v.invoker_user = take_string(in, in.u8());
      v.invoker_host = take_string(in, in.u8());
      break;
    case kQUpdatedDbNames: {
      const uint8_t count = in.u8();
      v.updated_db_count = count;
      if (count > kMaxDbsInEventMts) break;
      for (uint8_t i = 0; i < count && in.ok(); ++i) v.updated_db_names.emplace_back(in.cstring());
      break;
    }
    case kQMicroseconds:
      v.microseconds = in.u24le();
      break;
    case kQCommitTs:
      v.commit_ts = in.u64le();
      break;
    case kQExplicitDefaultsTs:
      v.explicit_defaults_ts = in.u8();
      break;
    case kQDdlLoggedWithXid:
      v.ddl_xid = in.u64le();
      break;
    case kQDefaultCollationForUtf8mb4:
      v.default_collation_for_utf8mb4 = in.u16le();
      break;
    case kQSqlRequirePrimaryKey:
      v.sql_require_primary_key = in.u8();
      break;
    case kQDefaultTableEncryption:
      v.default_table_encryption = in.u8();
      break;
    case kQMariaHrnow:
      v.maria_hrnow = in.u24le();
      break;
    case kQMariaXid:
      v.maria_xid = in.u64le();
      break;
    case kQMariaGtidFlags3:
      v.maria_gtid_flags3 = in.u8();
      break;
    default:
      v.unknown_code = code;
      return ok_status();
  }
  if (!in.ok()) return corrupt(fmt::format("query status variable {} runs past the status block", code));
  return ok_status();
}

void write_short_string(ByteWriter& out, const std::string& s) {
  const std::string_view v = std::string_view(s).substr(0, 255);
  out.u8(static_cast<uint8_t>(v.size()));
  out.string(v);
}

void encode_one(uint8_t code, const QueryStatusVars& v, ByteWriter& out) {
  auto put = [&](bool present) {
    if (present) out.u8(code);
    return present;
  };
  switch (code) {
    case kQFlags2:
      if (put(v.flags2.has_value())) out.u32le(*v.flags2);
      break;
    case kQSqlMode:
      if (put(v.sql_mode.has_value())) out.u64le(*v.sql_mode);
      break;
    case kQCatalog:
      if (put(v.catalog.has_value())) {
        write_short_string(out, *v.catalog);
        out.u8(0);
      }
      break;
    case kQCatalogNz:
      if (put(v.catalog.has_value())) write_short_string(out, *v.catalog);
      break;
    case kQAutoIncrement:
      if (put(v.auto_increment_increment.has_value())) {
        out.u16le(*v.auto_increment_increment);
        out.u16le(v.auto_increment_offset.value_or(1));
      }
      break;
    case kQCharset:
      if (put(v.charset_client.has_value())) {
        out.u16le(*v.charset_client);
        out.u16le(v.collation_connection.value_or(0));
        out.u16le(v.collation_server.value_or(0));
      }
      break;
    case kQTimeZone:
      if (put(v.time_zone.has_value())) write_short_string(out, *v.time_zone);
      break;
    case kQLcTimeNames:
      if (put(v.lc_time_names.has_value())) out.u16le(*v.lc_time_names);
      break;
    case kQCharsetDatabase:
      if (put(v.charset_database.has_value())) out.u16le(*v.charset_database);
      break;
    case kQTableMapForUpdate:
      if (put(v.table_map_for_update.has_value())) out.u64le(*v.table_map_for_update);
      break;
    case kQMasterDataWritten:
      if (put(v.master_data_written.has_value())) out.u32le(*v.master_data_written);
      break;
    case kQInvoker:
      if (put(v.invoker_user.has_value())) {
        write_short_string(out, *v.invoker_user);
        write_short_string(out, v.invoker_host.value_or(""));
      }
      break;
    case kQUpdatedDbNames:
      if (put(v.updated_db_count.has_value())) {
        out.u8(*v.updated_db_count);
        if (*v.updated_db_count <= kMaxDbsInEventMts) {
          for (const auto& name : v.updated_db_names) out.cstring(name);
        }
      }
      break;
    case kQMicroseconds:
      if (put(v.microseconds.has_value())) out.u24le(*v.microseconds);
      break;
    case kQCommitTs:
      if (put(v.commit_ts.has_value())) out.u64le(*v.commit_ts);
      break;
    case kQExplicitDefaultsTs:
      if (put(v.explicit_defaults_ts.has_value())) out.u8(*v.explicit_defaults_ts);
      break;
    case kQDdlLoggedWithXid:
      if (put(v.ddl_xid.has_value())) out.u64le(*v.ddl_xid);
      break;
    case kQDefaultCollationForUtf8mb4:
      if (put(v.default_collation_for_utf8mb4.has_value())) out.u16le(*v.default_collation_for_utf8mb4);
      break;
    case kQSqlRequirePrimaryKey:
      if (put(v.sql_require_primary_key.has_value())) out.u8(*v.sql_require_primary_key);
      break;
    case kQDefaultTableEncryption:
      if (put(v.default_table_encryption.has_value())) out.u8(*v.default_table_encryption);
      break;
    case kQMariaHrnow:
      if (put(v.maria_hrnow.has_value())) out.u24le(*v.maria_hrnow);
      break;
    case kQMariaXid:
      if (put(v.maria_xid.has_value())) out.u64le(*v.maria_xid);
      break;
    case kQMariaGtidFlags3:
      if (put(v.maria_gtid_flags3.has_value())) out.u8(*v.maria_gtid_flags3);
      break;
    default:
      break;
  }
}

size_t query_post_header_length(const FormatDescription& fd, uint8_t type_code) {
  const size_t n = fd.post_header_length(type_code);
  return n == 0 ? kQueryPostHeaderV4 : n;
}

Result<QueryEvent> decode_query_common(ByteReader& body, const FormatDescription& fd, bool compressed) {
  const uint8_t type_code = code(compressed ? EventType::kMariaQueryCompressed : EventType::kQuery);
  const size_t post_header = query_post_header_length(fd, type_code);
  if (post_header < kQueryPostHeaderOld) {
    return corrupt(fmt::format("QUERY post-header length {} is below 11", post_header));
  }
  QueryEvent ev;
  ev.compressed = compressed;
  ev.thread_id = body.u32le();
  ev.exec_time = body.u32le();
  const uint8_t db_len = body.u8();
  ev.error_code = body.u16le();
  uint16_t status_len = 0;
  if (post_header >= kQueryPostHeaderV4) status_len = body.u16le();
  const size_t extra =
      post_header - (post_header >= kQueryPostHeaderV4 ? kQueryPostHeaderV4 : kQueryPostHeaderOld);
  const Bytes extra_bytes = body.bytes(extra);
  if (!body.ok()) return corrupt("QUERY body shorter than its post-header");
  ev.extra_post_header.assign(extra_bytes.begin(), extra_bytes.end());
  if (!body.has(status_len)) {
    return corrupt(fmt::format("QUERY status_vars_len {} runs past the end of the event ({} bytes left)",
                               status_len, body.remaining()));
  }
  const Bytes status = body.bytes(status_len);
  ev.status_vars_raw.assign(status.begin(), status.end());
  MZL_TRY(ev.status, parse_query_status_vars(status));
  if (!body.has(size_t{db_len} + 1)) return corrupt("QUERY db_len runs past the end of the event");
  ev.db = take_string(body, db_len);
  if (body.u8() != 0) return corrupt("QUERY database name is not followed by NUL");
  if (!compressed) {
    ev.query = std::string(body.string(body.remaining()));
    return ev;
  }
  const Bytes record = body.rest();
  ev.compressed_query.assign(record.begin(), record.end());
  MZL_TRY(auto text, inflate_maria_compressed(record, kMaxCompressedQuery));
  ev.query.assign(text.begin(), text.end());
  return ev;
}

}  // namespace

Result<QueryStatusVars> parse_query_status_vars(Bytes block) {
  QueryStatusVars vars;
  ByteReader in(block);
  while (!in.empty()) {
    const uint8_t c = in.u8();
    MZL_CHECK(parse_one(c, in, vars));
    if (vars.unknown_code) break;
    vars.order.push_back(c);
  }
  return vars;
}

std::vector<uint8_t> encode_query_status_vars(const QueryStatusVars& vars) {
  ByteWriter out;
  if (!vars.order.empty()) {
    for (uint8_t c : vars.order) encode_one(c, vars, out);
    return out.take();
  }
  static constexpr uint8_t kCanonical[] = {kQFlags2,
                                           kQSqlMode,
                                           kQCatalogNz,
                                           kQAutoIncrement,
                                           kQCharset,
                                           kQTimeZone,
                                           kQLcTimeNames,
                                           kQCharsetDatabase,
                                           kQTableMapForUpdate,
                                           kQMasterDataWritten,
                                           kQInvoker,
                                           kQUpdatedDbNames,
                                           kQMicroseconds,
                                           kQCommitTs,
                                           kQExplicitDefaultsTs,
                                           kQDdlLoggedWithXid,
                                           kQDefaultCollationForUtf8mb4,
                                           kQSqlRequirePrimaryKey,
                                           kQDefaultTableEncryption,
                                           kQMariaHrnow,
                                           kQMariaXid,
                                           kQMariaGtidFlags3};
  for (uint8_t c : kCanonical) encode_one(c, vars, out);
  return out.take();
}

Result<QueryEvent> decode_query_event(ByteReader& body, const FormatDescription& fd) {
  return decode_query_common(body, fd, false);
}

Result<QueryEvent> decode_query_compressed_event(ByteReader& body, const FormatDescription& fd) {
  return decode_query_common(body, fd, true);
}

void encode_query_event(const QueryEvent& event, const FormatDescription& fd, ByteWriter& out) {
  const uint8_t type_code = code(event.compressed ? EventType::kMariaQueryCompressed : EventType::kQuery);
  const size_t post_header = query_post_header_length(fd, type_code);
  out.u32le(event.thread_id);
  out.u32le(event.exec_time);
  out.u8(static_cast<uint8_t>(event.db.size()));
  out.u16le(event.error_code);
  if (post_header >= kQueryPostHeaderV4) out.u16le(static_cast<uint16_t>(event.status_vars_raw.size()));
  out.bytes(event.extra_post_header);
  if (post_header >= kQueryPostHeaderV4) out.bytes(event.status_vars_raw);
  out.string(event.db);
  out.u8(0);
  if (!event.compressed) {
    out.string(event.query);
  } else if (!event.compressed_query.empty()) {
    out.bytes(event.compressed_query);
  } else {
    const auto* p = reinterpret_cast<const uint8_t*>(event.query.data());
    out.bytes(deflate_maria_compressed(Bytes(p, event.query.size())));
  }
}

// MariaDB sql/log_event.cc binlog_buf_compress / binlog_buf_uncompress (compressed record format).
Result<std::vector<uint8_t>> inflate_maria_compressed(Bytes record, size_t max_size) {
  ByteReader in(record);
  const uint8_t header = in.u8();
  if (!in.ok() || (header & 0x80) == 0) return corrupt("compressed record lacks its 0x80 header byte");
  const unsigned algorithm = (header >> 4) & 0x07;
  if (algorithm != 0) {
    return Error{ErrorCode::kUnsupported,
                 fmt::format("compression algorithm {} (only zlib, 0, is known)", algorithm)};
  }
  const size_t lenlen = header & 0x07;
  if (lenlen < 1 || lenlen > 4) return corrupt(fmt::format("compressed record length-of-length {}", lenlen));
  const uint64_t length = in.uint_be(lenlen);
  if (!in.ok()) return corrupt("compressed record length cut short");
  if (length > max_size)
    return corrupt(fmt::format("compressed record claims {} bytes uncompressed", length));
  const Bytes data = in.rest();
  // zlib's maximum expansion is about 1032:1; a larger claim is not worth allocating for.
  if (length > data.size() * 1032 + 64) return corrupt("compressed record claims an impossible size");
  std::vector<uint8_t> out(length);
  uLongf out_len = static_cast<uLongf>(length);
  const int rc = uncompress(out.data(), &out_len, data.data(), static_cast<uLong>(data.size()));
  if (rc != Z_OK || out_len != length) {
    return corrupt(fmt::format("compressed record does not inflate to its {} bytes", length));
  }
  return out;
}

std::vector<uint8_t> deflate_maria_compressed(Bytes data) {
  const auto len = static_cast<uint32_t>(data.size());
  const size_t lenlen = len > 0xFFFFFF ? 4 : len > 0xFFFF ? 3 : len > 0xFF ? 2 : 1;
  ByteWriter out;
  out.u8(static_cast<uint8_t>(0x80 | lenlen));
  out.uint_be(len, lenlen);
  uLongf bound = compressBound(static_cast<uLong>(data.size()));
  std::vector<uint8_t> z(bound);
  if (compress(z.data(), &bound, data.data(), static_cast<uLong>(data.size())) == Z_OK) {
    z.resize(bound);
    out.bytes(z);
  }
  return out.take();
}

}  // namespace mzl::codec
