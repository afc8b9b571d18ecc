#pragma once
// CRC-32 (ISO-HDLC, the polynomial of zlib's crc32()), as used for binlog event checksums
// (binlog_checksum=CRC32: the last 4 bytes of an event are crc32 of everything before them, little-endian).
#include <cstdint>
#include <span>

namespace mzl {

// Uses carry-less multiplication (PCLMULQDQ) for whole 16-byte blocks where the CPU has it, slice-by-8
// tables for the rest and for short inputs, and zlib's code for long inputs on other CPUs.
// `initial` continues an earlier result: crc32(b, crc32(a)) == crc32(a + b).
uint32_t crc32(std::span<const uint8_t> data, uint32_t initial = 0);
// zlib's implementation alone (tests compare the others with it).
uint32_t crc32_portable(std::span<const uint8_t> data, uint32_t initial = 0);
// The slice-by-8 tables alone, at any length (crc32() uses them for short inputs and tails).
uint32_t crc32_tables(std::span<const uint8_t> data, uint32_t initial = 0);

}  // namespace mzl
