#include "mzl/codec/transaction_payload.h"

#include <fmt/format.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

namespace mzl::codec {

namespace {

constexpr uint64_t kEndMark = 0;
constexpr uint64_t kPayloadSizeField = 1;
constexpr uint64_t kCompressionTypeField = 2;
constexpr uint64_t kUncompressedSizeField = 3;

Error corrupt(std::string what) {
  return Error{ErrorCode::kCorrupt, std::move(what)};
}

void write_field(ByteWriter& out, uint64_t type, uint64_t value) {
  ByteWriter v;
  v.packed_uint(value);
  out.packed_uint(type);
  out.packed_uint(v.size());
  out.bytes(v.buffer());
}

struct DctxDeleter {
  void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
};

}  // namespace

Result<TransactionPayloadEvent> decode_transaction_payload_event(ByteReader& body, const FormatDescription&) {
  TransactionPayloadEvent ev;
  const size_t start = body.position();
  bool have_size = false;
  for (;;) {
    const uint64_t type = body.packed_uint();
    if (!body.ok()) return corrupt("TRANSACTION_PAYLOAD header ends without its end mark");
    if (type == kEndMark) break;
    const uint64_t length = body.packed_uint();
    if (!body.ok() || !body.has(length))
      return corrupt("TRANSACTION_PAYLOAD header field runs past the event");
    ByteReader value = body.sub(length);
    uint64_t* target = nullptr;
    if (type == kPayloadSizeField) target = &ev.payload_size;
    if (type == kCompressionTypeField) target = &ev.compression_type;
    if (type == kUncompressedSizeField) target = &ev.uncompressed_size;
    if (target == nullptr) continue;
    *target = value.packed_uint();
    if (!value.ok() || !value.empty()) {
      return corrupt(fmt::format("TRANSACTION_PAYLOAD field {} is not one packed integer", type));
    }
    have_size = have_size || type == kPayloadSizeField;
  }
  const Bytes header = body.data().subspan(start, body.position() - start);
  ev.header_raw.assign(header.begin(), header.end());
  if (!have_size) ev.payload_size = body.remaining();
  if (!body.has(ev.payload_size)) {
    return corrupt(fmt::format("TRANSACTION_PAYLOAD payload_size {} but {} bytes left", ev.payload_size,
                               body.remaining()));
  }
  const Bytes payload = body.bytes(ev.payload_size);
  ev.payload.assign(payload.begin(), payload.end());
  const Bytes rest = body.rest();
  ev.trailing.assign(rest.begin(), rest.end());
  return ev;
}

void encode_transaction_payload_event(const TransactionPayloadEvent& event, const FormatDescription&,
                                      ByteWriter& out) {
  if (!event.header_raw.empty()) {
    out.bytes(event.header_raw);
  } else {
    write_field(out, kCompressionTypeField, event.compression_type);
    write_field(out, kUncompressedSizeField, event.uncompressed_size);
    write_field(out, kPayloadSizeField, event.payload.size());
    out.packed_uint(kEndMark);
  }
  out.bytes(event.payload);
  out.bytes(event.trailing);
}

Result<std::vector<uint8_t>> decompress_transaction_payload(const TransactionPayloadEvent& event,
                                                            uint64_t max_size) {
  if (event.uncompressed_size > max_size) {
    return corrupt(fmt::format("TRANSACTION_PAYLOAD declares {} bytes uncompressed (limit {})",
                               event.uncompressed_size, max_size));
  }
  if (event.compression_type == kPayloadCompressionNone) {
    if (event.payload.size() != event.uncompressed_size) {
      return corrupt("uncompressed TRANSACTION_PAYLOAD size differs from its declared size");
    }
    return event.payload;
  }
  if (event.compression_type != kPayloadCompressionZstd) {
    return Error{ErrorCode::kUnsupported,
                 fmt::format("TRANSACTION_PAYLOAD compression type {}", event.compression_type)};
  }
  std::unique_ptr<ZSTD_DCtx, DctxDeleter> ctx(ZSTD_createDCtx());
  if (!ctx) return Error{ErrorCode::kInternal, "cannot create a zstd context"};
  std::vector<uint8_t> out;
  const size_t chunk = ZSTD_DStreamOutSize();
  ZSTD_inBuffer in{event.payload.data(), event.payload.size(), 0};
  size_t ret = 1;
  while (in.pos < in.size || ret != 0) {
    const size_t before = out.size();
    // One byte past the declared size is enough to detect an overrun.
    const size_t room = std::min<uint64_t>(chunk, event.uncompressed_size + 1 - before);
    out.resize(before + room);
    ZSTD_outBuffer o{out.data() + before, room, 0};
    ret = ZSTD_decompressStream(ctx.get(), &o, &in);
    out.resize(before + o.pos);
    if (ZSTD_isError(ret)) {
      return corrupt(fmt::format("TRANSACTION_PAYLOAD zstd error: {}", ZSTD_getErrorName(ret)));
    }
    if (out.size() > event.uncompressed_size) {
      return corrupt(
          fmt::format("TRANSACTION_PAYLOAD inflates past its declared {} bytes", event.uncompressed_size));
    }
    if (o.pos == 0 && in.pos == in.size && ret != 0) {
      return corrupt("TRANSACTION_PAYLOAD zstd stream is truncated");
    }
  }
  if (out.size() != event.uncompressed_size) {
    return corrupt(fmt::format("TRANSACTION_PAYLOAD inflates to {} bytes, declared {}", out.size(),
                               event.uncompressed_size));
  }
  return out;
}

Result<std::vector<RawEvent>> frame_payload_events(Bytes uncompressed, const FormatDescription& fd) {
  const FormatDescription inner = without_checksum(fd);
  std::vector<RawEvent> events;
  size_t pos = 0;
  while (pos < uncompressed.size()) {
    auto ev = frame_event(uncompressed.subspan(pos), pos, inner);
    if (!ev.ok()) {
      Error e = std::move(ev).error();
      if (e.code == ErrorCode::kNeedMoreData) {
        e.code = ErrorCode::kCorrupt;
        e.message = "event cut by the end of the TRANSACTION_PAYLOAD: " + e.message;
      }
      return e;
    }
    pos += ev->data.size();
    events.push_back(std::move(ev).value());
  }
  return events;
}

Result<TransactionPayloadEvent> make_transaction_payload(Bytes inner_events, uint64_t compression_type,
                                                         int level) {
  TransactionPayloadEvent ev;
  ev.compression_type = compression_type;
  ev.uncompressed_size = inner_events.size();
  if (compression_type == kPayloadCompressionNone) {
    ev.payload.assign(inner_events.begin(), inner_events.end());
  } else if (compression_type == kPayloadCompressionZstd) {
    ev.payload.resize(ZSTD_compressBound(inner_events.size()));
    const size_t n =
        ZSTD_compress(ev.payload.data(), ev.payload.size(), inner_events.data(), inner_events.size(), level);
    if (ZSTD_isError(n)) return Error{ErrorCode::kInternal, ZSTD_getErrorName(n)};
    ev.payload.resize(n);
  } else {
    return Error{ErrorCode::kInvalidArgument, fmt::format("compression type {}", compression_type)};
  }
  ev.payload_size = ev.payload.size();
  return ev;
}

}  // namespace mzl::codec
