#pragma once
// Well-known text (OGC Simple Features, "POINT (1 2)") of a geometry value's well-known binary, written the
// way JTS's WKTWriter writes it (the library Maxwell renders GEOMETRY columns with): the type name, a space,
// coordinates as "x y" joined by ", ", every ring and member in parentheses, each point of a MULTIPOINT too,
// "EMPTY" for an empty geometry, numbers in plain notation with at most 16 fraction digits and no trailing
// zeros ("1", "0.5", "-3.25").
// WKB: https://libgeos.org/specifications/wkb/ (byte order u8, type u32, then the coordinates as doubles).
#include <string>

#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// Appends the WKT of `wkb` (without MySQL's 4-byte SRID prefix) to `out`. kCorrupt when the bytes run short
// or nest deeper than 32 levels; kUnsupported for types other than the seven 2D ones (1-7).
Status append_wkt(std::string& out, Bytes wkb);

}  // namespace mzl::codec
