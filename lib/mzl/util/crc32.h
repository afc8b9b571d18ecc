#pragma once
// CRC-32 (ISO-HDLC, the polynomial of zlib's crc32()), as used for binlog event checksums
// (binlog_checksum=CRC32: the last 4 bytes of an event are crc32 of everything before them, little-endian).
#include <cstdint>
#include <span>

namespace mzl {

// Uses carry-less multiplication (PCLMULQDQ) where the CPU has it, zlib's table-driven code otherwise.
// `initial` continues an earlier result: crc32(b, crc32(a)) == crc32(a + b).
uint32_t crc32(std::span<const uint8_t> data, uint32_t initial = 0);
// zlib's implementation alone (tests compare the two).
uint32_t crc32_portable(std::span<const uint8_t> data, uint32_t initial = 0);

}  // namespace mzl
