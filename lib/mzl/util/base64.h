#pragma once
// Base64 (RFC 4648, with padding, no line breaks) through OpenSSL: the text of BINLOG statements.
#include <string>

#include "mzl/util/byte_reader.h"

namespace mzl {

std::string base64_encode(Bytes data);

}  // namespace mzl
