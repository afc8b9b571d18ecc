#pragma once
// Base64 (RFC 4648 section 4: standard alphabet, with padding, no line breaks): the text of BINLOG
// statements, binary values in JSON output, non-UTF-8 text in manifests. The one encoder and decoder.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mzl/util/byte_reader.h"

namespace mzl {

// Appends the base64 text of `data` to `out`.
void append_base64(std::string& out, std::span<const uint8_t> data);

// The base64 text of `data`.
std::string base64_encode(Bytes data);

// The bytes `text` encodes; nullopt unless it is padded base64 of the standard alphabet (length a multiple of
// 4, '=' only at the end), with nothing else in it.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace mzl
