#include "mzl/codec/gtid_events.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "mzl/codec/event_type.h"

namespace mzl::codec {

namespace {

constexpr int64_t kGnoEnd = std::numeric_limits<int64_t>::max();  // one past the largest GNO
constexpr uint64_t kCommitTimestampFlag = uint64_t{1} << 55;
constexpr uint32_t kServerVersionFlag = uint32_t{1} << 31;
constexpr size_t kMaxTagLength = 32;

Error corrupt(std::string what) {
  return Error(ErrorCode::kCorrupt, std::move(what));
}

std::vector<uint8_t> to_vector(Bytes b) {
  return std::vector<uint8_t>(b.begin(), b.end());
}

// Variable-length integers of MySQL's serialization library (libs/mysql/serialization/readme.md): the
// number of trailing one bits of the first byte, plus one, is the length in bytes.
size_t varlen_size(uint64_t v) {
  return ((static_cast<size_t>(std::bit_width(v)) * 575) >> 12) + 1;
}

void put_varlen(ByteWriter& out, uint64_t v) {
  const size_t n = varlen_size(v);
  out.u8(static_cast<uint8_t>(((1u << (n - 1)) - 1) | static_cast<uint8_t>(v << n)));
  if (n == 1) return;
  out.uint_le(v >> (8 - n + ((n + 7) >> 4)), n - 1);
}

std::optional<uint64_t> get_varlen(ByteReader& in) {
  if (!in.has(1)) return std::nullopt;
  const uint8_t first = in.u8();
  const size_t n = static_cast<size_t>(std::countr_one(first)) + 1;
  const uint64_t low = n >= 8 ? 0 : static_cast<uint64_t>(first) >> n;
  if (n == 1) return low;
  if (!in.has(n - 1)) return std::nullopt;
  return low | (in.uint_le(n - 1) << (8 - n + ((n + 7) >> 4)));
}

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

bool valid_tag_bytes(std::string_view tag) {
  if (tag.size() > kMaxTagLength) return false;
  for (size_t i = 0; i < tag.size(); ++i) {
    const char c = tag[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// ---- MySQL GTID / ANONYMOUS_GTID (fixed layout with optional tail) ----

Status decode_untagged(ByteReader& in, MysqlGtidEvent& ev) {
  if (!in.has(25)) return corrupt("GTID event body is shorter than flags + SID + GNO (25 bytes)");
  ev.flags = in.u8();
  const Bytes sid = in.bytes(16);
  std::copy(sid.begin(), sid.end(), ev.sid.begin());
  ev.gno = static_cast<int64_t>(in.u64le());
  if (ev.type_code == code(EventType::kGtid) && (ev.gno < 1 || ev.gno >= kGnoEnd)) {
    return corrupt("GTID event has GNO " + std::to_string(ev.gno) + " outside 1..2^63-2");
  }
  if (ev.type_code == code(EventType::kAnonymousGtid) && ev.gno != 0) {
    return corrupt("ANONYMOUS_GTID event has GNO " + std::to_string(ev.gno) + ", expected 0");
  }
  if (!in.has(1)) return ok_status();
  ev.lt_type = in.u8();
  if (*ev.lt_type != 2) return ok_status();
  if (!in.has(16)) return corrupt("GTID event ends inside last_committed/sequence_number");
  ev.last_committed = static_cast<int64_t>(in.u64le());
  ev.sequence_number = static_cast<int64_t>(in.u64le());
  if (!in.has(7)) return ok_status();
  uint64_t immediate = in.uint_le(7);
  if (immediate & kCommitTimestampFlag) {
    immediate &= ~kCommitTimestampFlag;
    if (!in.has(7)) return corrupt("GTID event ends inside original_commit_timestamp");
    ev.original_commit_timestamp = in.uint_le(7);
  }
  ev.immediate_commit_timestamp = immediate;
  if (in.has(1)) {
    ev.transaction_length = in.packed_uint();
    if (!in.ok()) return corrupt("GTID event has a malformed transaction_length");
  }
  if (!in.has(4)) return ok_status();
  uint32_t immediate_version = in.u32le();
  if (immediate_version & kServerVersionFlag) {
    immediate_version &= ~kServerVersionFlag;
    if (!in.has(4)) return corrupt("GTID event ends inside original_server_version");
    ev.original_server_version = in.u32le();
  }
  ev.immediate_server_version = immediate_version;
  if (in.has(8)) ev.commit_group_ticket = in.u64le();
  return ok_status();
}

void encode_untagged(const MysqlGtidEvent& ev, ByteWriter& out) {
  out.u8(ev.flags);
  out.bytes(ev.sid);
  out.u64le(static_cast<uint64_t>(ev.gno));
  if (!ev.lt_type) return;
  out.u8(*ev.lt_type);
  if (*ev.lt_type != 2 || !ev.last_committed) return;
  out.u64le(static_cast<uint64_t>(*ev.last_committed));
  out.u64le(static_cast<uint64_t>(ev.sequence_number.value_or(0)));
  if (!ev.immediate_commit_timestamp) return;
  uint64_t immediate = *ev.immediate_commit_timestamp & (kCommitTimestampFlag - 1);
  if (ev.original_commit_timestamp) immediate |= kCommitTimestampFlag;
  out.uint_le(immediate, 7);
  if (ev.original_commit_timestamp) out.uint_le(*ev.original_commit_timestamp, 7);
  if (ev.transaction_length) out.packed_uint(*ev.transaction_length);
  if (!ev.immediate_server_version) return;
  uint32_t immediate_version = *ev.immediate_server_version & ~kServerVersionFlag;
  if (ev.original_server_version) immediate_version |= kServerVersionFlag;
  out.u32le(immediate_version);
  if (ev.original_server_version) out.u32le(*ev.original_server_version);
  if (ev.commit_group_ticket) out.u64le(*ev.commit_group_ticket);
}

// ---- MySQL GTID_TAGGED (serialization framework message) ----
// Field ids follow Gtid_event::define_fields(): 0 gtid_flags, 1 uuid (16 varlen bytes), 2 gno (signed),
// 3 tag (string, at most 32), 4 last_committed (signed), 5 sequence_number (signed), 6 immediate_commit_ts,
// 7 original_commit_ts, 8 transaction_length, 9 immediate_server_version, 10 original_server_version,
// 11 commit_group_ticket.

constexpr uint64_t kSerializationFormatVersion = 1;
constexpr uint64_t kTaggedFieldCount = 12;

template <class T>
bool get_unsigned(ByteReader& in, T& out) {
  const auto v = get_varlen(in);
  if (!v || *v > std::numeric_limits<T>::max()) return false;
  out = static_cast<T>(*v);
  return true;
}

template <class T>
bool get_unsigned(ByteReader& in, std::optional<T>& out) {
  T v{};
  if (!get_unsigned(in, v)) return false;
  out = v;
  return true;
}

bool get_signed(ByteReader& in, std::optional<int64_t>& out) {
  const auto v = get_varlen(in);
  if (!v) return false;
  out = unzigzag(*v);
  return true;
}

bool decode_tagged_field(uint64_t id, ByteReader& in, MysqlGtidEvent& ev) {
  switch (id) {
    case 0:
      return get_unsigned(in, ev.flags);
    case 1:
      for (auto& b : ev.sid) {
        if (!get_unsigned(in, b)) return false;
      }
      return true;
    case 2: {
      std::optional<int64_t> gno;
      if (!get_signed(in, gno)) return false;
      ev.gno = *gno;
      return true;
    }
    case 3: {
      uint64_t len = 0;
      if (!get_unsigned(in, len) || len > kMaxTagLength || !in.has(len)) return false;
      ev.tag = std::string(in.string(len));
      return true;
    }
    case 4:
      return get_signed(in, ev.last_committed);
    case 5:
      return get_signed(in, ev.sequence_number);
    case 6:
      return get_unsigned(in, ev.immediate_commit_timestamp);
    case 7:
      return get_unsigned(in, ev.original_commit_timestamp);
    case 8:
      return get_unsigned(in, ev.transaction_length);
    case 9:
      return get_unsigned(in, ev.immediate_server_version);
    case 10:
      return get_unsigned(in, ev.original_server_version);
    case 11:
      return get_unsigned(in, ev.commit_group_ticket);
  }
  return false;
}

Status decode_tagged(ByteReader& in, MysqlGtidEvent& ev) {
  const auto version = get_varlen(in);
  const auto size = get_varlen(in);
  const auto last_non_ignorable = get_varlen(in);
  if (!version || !size || !last_non_ignorable) return corrupt("GTID_TAGGED event ends inside its header");
  if (*version != kSerializationFormatVersion) {
    return corrupt("GTID_TAGGED event has serialization format " + std::to_string(*version) + ", expected 1");
  }
  if (*last_non_ignorable > kTaggedFieldCount) {
    return corrupt("GTID_TAGGED event has unknown non-ignorable field " +
                   std::to_string(*last_non_ignorable));
  }
  if (*size > in.size()) return corrupt("GTID_TAGGED message size runs past the event");
  ev.tagged_last_non_ignorable_field_id = *last_non_ignorable;
  const size_t end = static_cast<size_t>(*size);
  bool seen[kTaggedFieldCount] = {};
  for (uint64_t id = 0; id < kTaggedFieldCount; ++id) {
    if (in.position() == end) break;
    ByteReader peek = in;
    const auto read_id = get_varlen(peek);
    if (!read_id || *read_id != id) continue;
    in = peek;
    if (!decode_tagged_field(id, in, ev)) {
      return corrupt("GTID_TAGGED field " + std::to_string(id) + " is malformed");
    }
    seen[id] = true;
  }
  if (!seen[0] || !seen[1] || !seen[2] || !seen[3]) {
    return corrupt("GTID_TAGGED event lacks flags, uuid, gno or tag");
  }
  if (ev.gno < 1 || ev.gno >= kGnoEnd) {
    return corrupt("GTID_TAGGED event has GNO " + std::to_string(ev.gno) + " outside 1..2^63-2");
  }
  if (in.position() < end) ev.tagged_unknown_fields = to_vector(in.bytes(end - in.position()));
  return ok_status();
}

void encode_tagged(const MysqlGtidEvent& ev, ByteWriter& out) {
  ByteWriter fields;
  auto field = [&fields](uint64_t id) { put_varlen(fields, id); };
  field(0);
  put_varlen(fields, ev.flags);
  field(1);
  for (uint8_t b : ev.sid) put_varlen(fields, b);
  field(2);
  put_varlen(fields, zigzag(ev.gno));
  field(3);
  put_varlen(fields, ev.tag.size());
  fields.string(ev.tag);
  auto put_signed = [&](uint64_t id, const std::optional<int64_t>& v) {
    if (!v) return;
    field(id);
    put_varlen(fields, zigzag(*v));
  };
  auto put_unsigned = [&](uint64_t id, const auto& v) {
    if (!v) return;
    field(id);
    put_varlen(fields, *v);
  };
  put_signed(4, ev.last_committed);
  put_signed(5, ev.sequence_number);
  put_unsigned(6, ev.immediate_commit_timestamp);
  put_unsigned(7, ev.original_commit_timestamp);
  put_unsigned(8, ev.transaction_length);
  put_unsigned(9, ev.immediate_server_version);
  put_unsigned(10, ev.original_server_version);
  put_unsigned(11, ev.commit_group_ticket);
  fields.bytes(ev.tagged_unknown_fields);
  // The size as Serializer_default::get_size_serializable computes it: the overhead counts the varlen
  // width of the payload size, not of the total it then writes (they differ only near 128, 16384, ...).
  const uint64_t payload = fields.size();
  const uint64_t size = varlen_size(kSerializationFormatVersion) + varlen_size(payload) +
                        varlen_size(ev.tagged_last_non_ignorable_field_id) + payload;
  put_varlen(out, kSerializationFormatVersion);
  put_varlen(out, size);
  put_varlen(out, ev.tagged_last_non_ignorable_field_id);
  out.bytes(fields.buffer());
}

}  // namespace

Result<MysqlGtidEvent> decode_mysql_gtid_event(uint8_t type_code, ByteReader& body,
                                               const FormatDescription& fd) {
  const bool tagged = type_code == code(EventType::kGtidTagged);
  if (!tagged && type_code != code(EventType::kGtid) && type_code != code(EventType::kAnonymousGtid)) {
    return Error(ErrorCode::kInvalidArgument,
                 "decode_mysql_gtid_event called for event type " + std::to_string(type_code));
  }
  const Bytes all = body.rest();
  ByteReader in(all);
  MysqlGtidEvent ev;
  ev.type_code = type_code;
  MZL_CHECK(tagged ? decode_tagged(in, ev) : decode_untagged(in, ev));
  ev.trailing = to_vector(in.rest());
  ByteWriter check;
  encode_mysql_gtid_event(ev, fd, check);
  if (check.size() != all.size() || !std::equal(all.begin(), all.end(), check.buffer().begin())) {
    return corrupt("GTID event uses an encoding no server writes (non-minimal integer or size)");
  }
  return ev;
}

void encode_mysql_gtid_event(const MysqlGtidEvent& event, const FormatDescription&, ByteWriter& out) {
  if (event.type_code == code(EventType::kGtidTagged)) {
    encode_tagged(event, out);
  } else {
    encode_untagged(event, out);
  }
  out.bytes(event.trailing);
}

// ---- PREVIOUS_GTIDS ----

Result<PreviousGtidsEvent> decode_previous_gtids_event(ByteReader& body, const FormatDescription&) {
  if (!body.has(8)) return corrupt("PREVIOUS_GTIDS body is shorter than 8 bytes");
  PreviousGtidsEvent ev;
  const uint64_t word = body.u64le();
  const uint8_t format = static_cast<uint8_t>(word >> 56);
  uint64_t n_sids = word;
  if (format == 1) {
    if ((word & 0xFF) != 1) return corrupt("PREVIOUS_GTIDS tagged format marker is inconsistent");
    ev.tagged = true;
    n_sids = (word >> 8) & 0xFFFFFFFFFFFFull;
  } else if (format != 0) {
    return corrupt("PREVIOUS_GTIDS has unknown GTID set format " + std::to_string(format));
  }
  for (uint64_t i = 0; i < n_sids; ++i) {
    if (!body.has(16 + 8)) return corrupt("PREVIOUS_GTIDS ends inside SID " + std::to_string(i));
    PreviousGtidsEvent::SidIntervals entry;
    const Bytes sid = body.bytes(16);
    std::copy(sid.begin(), sid.end(), entry.sid.begin());
    if (ev.tagged) {
      const size_t before = body.position();
      const auto len = get_varlen(body);
      if (!len || *len > kMaxTagLength || !body.has(*len))
        return corrupt("PREVIOUS_GTIDS has a malformed tag");
      if (body.position() - before != varlen_size(*len)) {
        return corrupt("PREVIOUS_GTIDS tag length uses a non-minimal encoding");
      }
      entry.tag = std::string(body.string(*len));
      if (!valid_tag_bytes(entry.tag)) return corrupt("PREVIOUS_GTIDS has an invalid tag");
    }
    if (!body.has(8)) return corrupt("PREVIOUS_GTIDS ends before n_intervals");
    const uint64_t n_intervals = body.u64le();
    if (n_intervals > body.remaining() / 16) return corrupt("PREVIOUS_GTIDS n_intervals runs past the event");
    entry.intervals.reserve(n_intervals);
    int64_t last = 0;
    for (uint64_t j = 0; j < n_intervals; ++j) {
      const int64_t start = static_cast<int64_t>(body.u64le());
      const int64_t end = static_cast<int64_t>(body.u64le());
      if (start <= last || end <= start) {
        return corrupt("PREVIOUS_GTIDS interval [" + std::to_string(start) + ", " + std::to_string(end) +
                       ") is empty, unordered or touches the previous one");
      }
      last = end;
      entry.intervals.push_back({start, end});
    }
    ev.sids.push_back(std::move(entry));
  }
  ev.trailing = to_vector(body.rest());
  return ev;
}

void encode_previous_gtids_event(const PreviousGtidsEvent& event, const FormatDescription&, ByteWriter& out) {
  const uint64_t n = event.sids.size();
  out.u64le(event.tagged ? (uint64_t{1} << 56) | (n << 8) | 1 : n);
  for (const auto& entry : event.sids) {
    out.bytes(entry.sid);
    if (event.tagged) {
      put_varlen(out, entry.tag.size());
      out.string(entry.tag);
    }
    out.u64le(entry.intervals.size());
    for (const auto& iv : entry.intervals) {
      out.u64le(static_cast<uint64_t>(iv.start));
      out.u64le(static_cast<uint64_t>(iv.end));
    }
  }
  out.bytes(event.trailing);
}

// ---- MariaDB GTID ----

Result<MariaGtidEvent> decode_maria_gtid_event(ByteReader& body, const FormatDescription&) {
  if (!body.has(13)) return corrupt("MariaDB GTID body is shorter than 13 bytes");
  MariaGtidEvent ev;
  ev.seq_no = body.u64le();
  ev.domain_id = body.u32le();
  ev.flags2 = body.u8();
  if (ev.flags2 & kMariaFlGroupCommitId) {
    if (!body.has(8)) return corrupt("MariaDB GTID ends inside commit_id");
    ev.commit_id = body.u64le();
  }
  if (ev.flags2 & (kMariaFlPreparedXa | kMariaFlCompletedXa)) {
    if (!body.has(6)) return corrupt("MariaDB GTID ends inside the XA xid header");
    MariaGtidEvent::Xid xid;
    xid.format_id = static_cast<int32_t>(body.u32le());
    xid.gtrid_length = body.u8();
    xid.bqual_length = body.u8();
    const size_t len = size_t{xid.gtrid_length} + xid.bqual_length;
    if (!body.has(len)) return corrupt("MariaDB GTID ends inside the XA xid data");
    xid.data = to_vector(body.bytes(len));
    ev.xid = std::move(xid);
  }
  if (!body.empty()) {
    const uint8_t extra = body.u8();
    ev.flags_extra = extra;
    if (extra & kMariaFlExtraMultiEngine) {
      if (!body.has(1)) return corrupt("MariaDB GTID ends inside extra_engines");
      ev.extra_engines = body.u8();
    }
    if (extra & (kMariaFlCommitAlter | kMariaFlRollbackAlter)) {
      if (!body.has(8)) return corrupt("MariaDB GTID ends inside sa_seq_no");
      ev.sa_seq_no = body.u64le();
    }
    if (extra & kMariaFlExtraThreadId) {
      if (!body.has(4)) return corrupt("MariaDB GTID ends inside thread_id");
      ev.thread_id = body.u32le();
    }
  }
  ev.trailing = to_vector(body.rest());
  return ev;
}

Result<MariaGtidId> decode_maria_gtid_id(ByteReader& body) {
  // The steps of decode_maria_gtid_event(), skipping instead of keeping.
  if (!body.has(13)) return corrupt("MariaDB GTID body is shorter than 13 bytes");
  MariaGtidId id;
  id.seq_no = body.u64le();
  id.domain_id = body.u32le();
  id.flags2 = body.u8();
  if (id.flags2 & kMariaFlGroupCommitId) {
    if (!body.has(8)) return corrupt("MariaDB GTID ends inside commit_id");
    body.skip(8);
  }
  if (id.flags2 & (kMariaFlPreparedXa | kMariaFlCompletedXa)) {
    if (!body.has(6)) return corrupt("MariaDB GTID ends inside the XA xid header");
    body.skip(4);  // format_id
    const size_t gtrid_length = body.u8();
    const size_t len = gtrid_length + body.u8();
    if (!body.has(len)) return corrupt("MariaDB GTID ends inside the XA xid data");
    body.skip(len);
  }
  if (!body.empty()) {
    const uint8_t extra = body.u8();
    if ((extra & kMariaFlExtraMultiEngine) && !body.has(1)) {
      return corrupt("MariaDB GTID ends inside extra_engines");
    }
    if (extra & kMariaFlExtraMultiEngine) body.skip(1);
    if (extra & (kMariaFlCommitAlter | kMariaFlRollbackAlter)) {
      if (!body.has(8)) return corrupt("MariaDB GTID ends inside sa_seq_no");
      body.skip(8);
    }
    if ((extra & kMariaFlExtraThreadId) && !body.has(4)) return corrupt("MariaDB GTID ends inside thread_id");
  }
  return id;
}

void encode_maria_gtid_event(const MariaGtidEvent& event, const FormatDescription&, ByteWriter& out) {
  out.u64le(event.seq_no);
  out.u32le(event.domain_id);
  out.u8(event.flags2);
  if (event.commit_id) out.u64le(*event.commit_id);
  if (event.xid) {
    out.u32le(static_cast<uint32_t>(event.xid->format_id));
    out.u8(event.xid->gtrid_length);
    out.u8(event.xid->bqual_length);
    out.bytes(event.xid->data);
  }
  if (event.flags_extra) {
    out.u8(*event.flags_extra);
    if (event.extra_engines) out.u8(*event.extra_engines);
    if (event.sa_seq_no) out.u64le(*event.sa_seq_no);
    if (event.thread_id) out.u32le(*event.thread_id);
  }
  out.bytes(event.trailing);
}

void pad_maria_gtid_event(MariaGtidEvent& event) {
  constexpr size_t kGtidHeaderLength = 19;
  ByteWriter out;
  encode_maria_gtid_event(event, FormatDescription{}, out);
  size_t size = out.size();
  if (size >= kGtidHeaderLength) return;
  if (!event.flags_extra) {
    event.flags_extra = 0;
    ++size;
  }
  if (size < kGtidHeaderLength) event.trailing.resize(event.trailing.size() + kGtidHeaderLength - size, 0);
}

// ---- MariaDB GTID_LIST ----

Result<MariaGtidListEvent> decode_maria_gtid_list_event(ByteReader& body, const FormatDescription&) {
  if (!body.has(4)) return corrupt("GTID_LIST body is shorter than 4 bytes");
  MariaGtidListEvent ev;
  const uint32_t word = body.u32le();
  const uint32_t count = word & 0x0FFFFFFFu;
  ev.flags = static_cast<uint8_t>(word >> 28);
  if (count > body.remaining() / 16)
    return corrupt("GTID_LIST count " + std::to_string(count) + " runs past the event");
  ev.list.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    MariaGtidListEvent::Entry e;
    e.domain_id = body.u32le();
    e.server_id = body.u32le();
    e.seq_no = body.u64le();
    ev.list.push_back(e);
  }
  ev.trailing = to_vector(body.rest());
  return ev;
}

void encode_maria_gtid_list_event(const MariaGtidListEvent& event, const FormatDescription&,
                                  ByteWriter& out) {
  out.u32le((uint32_t{event.flags} << 28) | (static_cast<uint32_t>(event.list.size()) & 0x0FFFFFFFu));
  for (const auto& e : event.list) {
    out.u32le(e.domain_id);
    out.u32le(e.server_id);
    out.u64le(e.seq_no);
  }
  out.bytes(event.trailing);
}

// ---- MariaDB BINLOG_CHECKPOINT ----

Result<BinlogCheckpointEvent> decode_binlog_checkpoint_event(ByteReader& body, const FormatDescription&) {
  if (!body.has(4)) return corrupt("BINLOG_CHECKPOINT body is shorter than 4 bytes");
  const uint32_t len = body.u32le();
  if (!body.has(len)) return corrupt("BINLOG_CHECKPOINT file name runs past the event");
  BinlogCheckpointEvent ev;
  ev.binlog_file_name = std::string(body.string(len));
  ev.trailing = to_vector(body.rest());
  return ev;
}

void encode_binlog_checkpoint_event(const BinlogCheckpointEvent& event, const FormatDescription&,
                                    ByteWriter& out) {
  out.u32le(static_cast<uint32_t>(event.binlog_file_name.size()));
  out.string(event.binlog_file_name);
  out.bytes(event.trailing);
}

}  // namespace mzl::codec
