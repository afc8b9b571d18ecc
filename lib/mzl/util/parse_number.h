// Checked parsing of decimal numbers in text from servers, files and flags. The standard library's
// std::sto* throw (and accept "12abc"), which error.h rules out for such text: these accept exactly an
// optional '-' (signed only) and decimal digits, all of the text, within range, and otherwise return an
// Error (kCorrupt) naming what was being read and the text. Callers add where it came from (Error::at).
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <string_view>

#include "mzl/util/result.h"

namespace mzl {

// `text` as an unsigned decimal integer no larger than `max`; `what` names it in the error ("collation ID").
Result<uint64_t> parse_uint(std::string_view text, std::string_view what,
                            uint64_t max = std::numeric_limits<uint64_t>::max());

// `text` as a signed decimal integer.
Result<int64_t> parse_int(std::string_view text, std::string_view what);

// A duration flag: a decimal number (a fraction allowed) with the unit ms, s, m or h, or none for seconds:
// "1s", "1.5", "500ms", "10m". kCorrupt naming `what` for anything else or a negative value.
Result<std::chrono::milliseconds> parse_duration(std::string_view text, std::string_view what);

}  // namespace mzl
