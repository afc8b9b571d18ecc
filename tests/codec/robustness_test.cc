// Mutated and truncated real events must give errors, never crashes or reads past the buffer (run this
// under -DMZL_SANITIZE=ON). Deterministic: a fixed-seed generator picks the mutations.
#include <catch2/catch.hpp>

#include <random>

#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/event_decoder.h"
#include "mzl/codec/event_encoder.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

// Decodes `bytes` as one event (checksum not verified, so mutations reach the body decoders); when it
// decodes, encodes it again (which must not crash either) and inflates TRANSACTION_PAYLOADs.
void decode_quietly(const std::vector<uint8_t>& bytes, const FormatDescription& fd) {
  auto raw = frame_event(bytes, 0, fd, /*verify_checksum=*/false);
  if (!raw.ok()) return;
  DecoderContext ctx("mutated", fd);
  auto ev = decode_event(*raw, ctx);
  if (!ev.ok()) return;
  (void)encode_event(*ev, fd);
  if (const auto* payload = ev->get<TransactionPayloadEvent>())
    (void)decode_payload_events(*payload, ctx, 0, 1 << 20);
}

}  // namespace

TEST_CASE("robustness: truncated and byte-flipped fixture events never crash the decoders") {
  std::mt19937 rng(20261122);
  size_t tried = 0;
  for (const auto& path : test::all_fixture_binlogs()) {
    if (std::filesystem::file_size(path) > 200 * 1024) continue;  // the big ones add time, not coverage
    auto reader = BinlogFileReader::open(path.string());
    REQUIRE(reader.ok());
    for (;;) {
      const FormatDescription fd = reader->format();
      auto raw = reader->next();
      if (!raw.ok() || !raw->has_value()) break;
      const std::vector<uint8_t> original((*raw)->data.begin(), (*raw)->data.end());
      // Every body length shorter than the real one (event_size patched to match).
      for (size_t cut = kEventHeaderSize; cut < original.size(); ++cut) {
        std::vector<uint8_t> shorter(original.begin(), original.begin() + static_cast<ptrdiff_t>(cut));
        ByteWriter patch(std::move(shorter));
        patch.patch_uint_le(9, cut, 4);
        decode_quietly(patch.buffer(), fd);
        ++tried;
      }
      // Random body bytes replaced by random values, 1 to 4 at a time.
      if (original.size() > kEventHeaderSize) {
        std::uniform_int_distribution<size_t> where(kEventHeaderSize, original.size() - 1);
        std::uniform_int_distribution<int> value(0, 255);
        for (int round = 0; round < 24; ++round) {
          auto mutated = original;
          const int flips = 1 + round % 4;
          for (int i = 0; i < flips; ++i) mutated[where(rng)] = static_cast<uint8_t>(value(rng));
          decode_quietly(mutated, fd);
          ++tried;
        }
      }
    }
  }
  CHECK(tried > 10000);
}
