// Fuzzes PacketReader (net/packet_reader.h), the framing of the binlog stream: the input's first two bytes
// choose a receive buffer size (4..259 bytes) and how the rest, the byte stream, is cut into reads. Property:
// read that way, the stream gives the same packets and ends with the same error (code and message) as read
// whole into a buffer that holds it all; no crash, no sanitizer report.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "mzl/net/packet_reader.h"

using namespace mzl;
using namespace mzl::net;

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

// Serves `stream` in reads of 1..max_piece bytes, the sizes drawn from a generator seeded with `seed`.
class CutSource : public ByteSource {
 public:
  CutSource(const uint8_t* data, size_t size, size_t max_piece, uint32_t seed)
      : data_(data), size_(size), max_piece_(max_piece), state_(seed * 2654435761u + 1) {}

  Result<size_t> read_some(uint8_t* out, size_t capacity) override {
    state_ = state_ * 1103515245u + 12345u;
    const size_t piece = 1 + (state_ >> 8) % max_piece_;
    const size_t n = std::min({piece, capacity, size_ - at_});
    if (n > 0) std::memcpy(out, data_ + at_, n);  // an empty input may have no data pointer
    at_ += n;
    return n;
  }
  Result<bool> wait_readable(std::chrono::milliseconds) override { return at_ < size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
  size_t max_piece_;
  uint32_t state_;
};

struct Outcome {
  std::vector<std::vector<uint8_t>> packets;
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

Outcome read_all(std::unique_ptr<ByteSource> source, size_t buffer_size) {
  // A limit above 0xFFFFFF, so that joined payloads are read; the input is far smaller, so they end cut.
  PacketReader reader(std::move(source), size_t{1} << 25, buffer_size);
  Outcome out;
  for (int packets = 0; packets < 100000; ++packets) {
    auto packet = reader.next();
    if (!packet.ok()) {
      out.code = packet.error().code;
      out.message = packet.error().message;
      return out;
    }
    out.packets.emplace_back(packet->begin(), packet->end());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t buffer_size = 4 + data[0];
  const uint8_t cut_seed = data[1];
  const uint8_t* stream = data + 2;
  const size_t stream_size = size - 2;

  const Outcome cut =
      read_all(std::make_unique<CutSource>(stream, stream_size, 1 + cut_seed % 64, cut_seed), buffer_size);
  const Outcome whole = read_all(std::make_unique<CutSource>(stream, stream_size, stream_size + 1, 0),
                                 std::max<size_t>(stream_size, 4));
  require(cut.packets == whole.packets, "the same packets whatever the cuts and the buffer size");
  require(cut.code == whole.code && cut.message == whole.message, "the same end whatever the cuts");
  // The stream always ends: with the connection closed (kNetwork) unless a packet was refused.
  require(cut.code == ErrorCode::kNetwork || cut.code == ErrorCode::kCorrupt ||
              cut.code == ErrorCode::kUnsupported,
          "the stream ends with a network, corrupt or unsupported error");
  return 0;
}
