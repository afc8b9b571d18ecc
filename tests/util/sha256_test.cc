#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "mzl/util/hex.h"
#include "mzl/util/sha256.h"

namespace {

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

// Expected digests: FIPS 180-2 appendix B (SHA-256 examples) and NIST's "one million a" vector.
TEST_CASE("sha256_hex: FIPS 180-2 vectors") {
  CHECK(mzl::sha256_hex({}) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(mzl::sha256_hex(bytes_of("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(mzl::sha256_hex(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("Sha256: a stream fed in pieces hashes as the whole") {
  mzl::Sha256 sha;
  const std::string piece(1000, 'a');
  for (int i = 0; i < 1000; ++i) sha.update(bytes_of(piece));
  REQUIRE(sha.ok());
  CHECK(sha.hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("to_hex: RFC 4648 base16 vectors, lowercase") {
  CHECK(mzl::to_hex({}) == "");
  CHECK(mzl::to_hex(bytes_of("f")) == "66");
  CHECK(mzl::to_hex(bytes_of("foobar")) == "666f6f626172");
  const uint8_t edge[] = {0x00, 0x0f, 0xa0, 0xff};
  CHECK(mzl::to_hex(edge) == "000fa0ff");
  std::string out = "x";
  mzl::append_hex_byte(out, 0xAB);
  CHECK(out == "xab");
}
