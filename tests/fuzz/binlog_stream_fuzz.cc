// Fuzzes the whole decoding path of a binlog file: the input is a binlog (the magic is added when missing),
// read with BinlogFileReader (checksums not verified, so mutated bytes reach the decoders), every event
// decoded with decode_event, rows events decoded to typed values with their TABLE_MAP, and every event
// rendered as JSON, as `mzl-binlog-tail --read` does. Properties: no crash, no sanitizer report, and every
// event that decodes encodes back to its exact bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/decoder_context.h"
#include "mzl/codec/event_decoder.h"
#include "mzl/codec/event_encoder.h"
#include "mzl/codec/event_json.h"
#include "mzl/codec/row_image.h"
#include "mzl/util/input_stream.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

void exercise(const Event& event, DecoderContext& ctx, const FormatDescription& fd_before, Bytes raw_bytes,
              bool check_round_trip) {
  if (check_round_trip) {
    require(encode_event(event, fd_before) == std::vector<uint8_t>(raw_bytes.begin(), raw_bytes.end()),
            "encode(decode(event)) == event");
  }
  EventJsonContext json;
  json.file = "fuzz";
  if (const auto* rows = event.get<RowsEvent>()) json.table = ctx.table_map(rows->table_id);
  std::string line;
  (void)append_event_json(line, event, json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> file;
  if (size < kBinlogMagicSize || std::memcmp(data, kBinlogMagic, kBinlogMagicSize) != 0) {
    file.assign(kBinlogMagic, kBinlogMagic + kBinlogMagicSize);
  }
  file.insert(file.end(), data, data + size);

  BinlogFileReaderOptions options;
  options.verify_checksums = false;
  options.buffer_size = 4096;  // small, so that the large-event path is exercised too
  BinlogFileReader reader(make_memory_input(std::move(file), "fuzz"), options);
  DecoderContext ctx("fuzz");
  for (int events = 0; events < 10000; ++events) {
    auto next = reader.next();
    if (!next.ok() || !next->has_value()) break;
    const RawEvent& raw = **next;
    const FormatDescription fd_before = ctx.format();
    auto event = decode_event(raw, ctx);
    if (!event.ok()) continue;
    // With checksums unverified, a stored CRC32 may be wrong; the encoder writes the right one. Compare the
    // bytes only when the event has no checksum or its checksum was right.
    const bool comparable =
        !raw.checksum || event_crc32(raw.data.first(raw.data.size() - 4)) == *raw.checksum;
    exercise(*event, ctx, fd_before, raw.data, comparable && fd_before.checksum_alg != ChecksumAlg::kOff);
    if (const auto* payload = event->get<TransactionPayloadEvent>()) {
      auto inner = decode_payload_events(*payload, ctx, raw.offset, 1 << 20);
      if (inner.ok()) {
        for (const auto& e : *inner) exercise(e, ctx, ctx.format(), {}, false);
      }
    }
  }
  return 0;
}
