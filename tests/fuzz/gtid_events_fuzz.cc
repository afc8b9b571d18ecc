// Fuzzes the GTID-family event decoders: the first input byte picks the event type, the rest is the body.
// Whatever decodes must encode back to exactly the same bytes (the codec's round-trip contract), and a
// decoded PREVIOUS_GTIDS must convert to a GTID set.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "mzl/codec/gtid_events.h"
#include "mzl/codec/gtid_from_events.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

template <class Event, class Encode>
void check_round_trip(const Result<Event>& event, Bytes body, ByteReader& in, Encode encode) {
  if (!event.ok()) return;
  require(in.empty(), "a decoded event consumes its whole body");
  ByteWriter out;
  encode(*event, FormatDescription{}, out);
  require(out.buffer() == std::vector<uint8_t>(body.begin(), body.end()), "encode(decode(body)) == body");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr uint8_t kTypes[] = {33, 34, 42, 35, 161, 162, 163};
  const uint8_t type = kTypes[data[0] % sizeof(kTypes)];
  const Bytes body(data + 1, size - 1);
  ByteReader in(body);
  const FormatDescription fd;
  switch (type) {
    case 33:
    case 34:
    case 42: {
      auto ev = decode_mysql_gtid_event(type, in, fd);
      check_round_trip(ev, body, in, encode_mysql_gtid_event);
      if (ev.ok()) (void)codec::mysql_gtid_from(*ev);
      break;
    }
    case 35: {
      auto ev = decode_previous_gtids_event(in, fd);
      check_round_trip(ev, body, in, encode_previous_gtids_event);
      if (ev.ok()) require(codec::mysql_gtid_set_from(*ev).ok(), "a decoded PREVIOUS_GTIDS is a valid set");
      break;
    }
    case 161:
      check_round_trip(decode_binlog_checkpoint_event(in, fd), body, in, encode_binlog_checkpoint_event);
      break;
    case 162:
      check_round_trip(decode_maria_gtid_event(in, fd), body, in, encode_maria_gtid_event);
      break;
    case 163: {
      auto ev = decode_maria_gtid_list_event(in, fd);
      check_round_trip(ev, body, in, encode_maria_gtid_list_event);
      if (ev.ok()) (void)codec::maria_state_from(*ev);
      break;
    }
  }
  return 0;
}
