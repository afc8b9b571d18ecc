#pragma once
// Decodes framed events (raw_event.h) into typed events (event.h): the one place that switches on the
// event type code. Unknown and uninterpreted types become OpaqueEvent.
#include <vector>

#include "mzl/codec/decoder_context.h"
#include "mzl/codec/event.h"
#include "mzl/codec/raw_event.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// Decodes `raw` with the context's FORMAT_DESCRIPTION and updates the context: a FORMAT_DESCRIPTION
// becomes the one in force (ctx.set_format), a TABLE_MAP is remembered, START_ENCRYPTION marks the stream
// encrypted. Errors carry where = ctx.source() and offset = raw.offset: kCorrupt for bytes that cannot be
// the event, kUnsupported for events after START_ENCRYPTION (not decrypted) and for compression
// algorithms the codec does not know. The context is left unchanged by a failed decode.
Result<Event> decode_event(const RawEvent& raw, DecoderContext& ctx);
// The same into `out`: a rows event decoded into an `out` that already holds one reuses its vectors, so a
// reader that keeps one Event for its rows events does not allocate per event. Other events replace
// `out`. On failure `out` is left in an unspecified (valid) state.
Status decode_event(const RawEvent& raw, DecoderContext& ctx, Event& out);

// The event with its body kept raw (OpaqueEvent), whatever its type: for callers that must keep an event
// that does not decode (an archive never drops bytes) and still write it back unchanged.
Event opaque_event(const RawEvent& raw);

// Inflates a TRANSACTION_PAYLOAD and decodes its inner events through frame_event() and decode_event()
// with `ctx` (their TABLE_MAPs are remembered there). Offsets are relative to the inflated payload; inner
// events carry no checksum. Errors: as decompress_transaction_payload(), frame_payload_events() and
// decode_event(), with where = ctx.source() and the offset of the payload event `payload_offset` when the
// payload itself is bad.
Result<std::vector<Event>> decode_payload_events(const TransactionPayloadEvent& payload, DecoderContext& ctx,
                                                 uint64_t payload_offset = 0,
                                                 uint64_t max_size = kMaxTransactionPayloadSize);

}  // namespace mzl::codec
