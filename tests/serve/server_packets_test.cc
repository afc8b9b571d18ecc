// The server's packets against the bytes the protocol documentation shows. The hex dumps are the examples
// of MySQL's "Client/Server Protocol" pages (dev.mysql.com/doc/dev/mysql-server/latest/, pages
// page_protocol_connection_phase_packets_protocol_handshake_v10, ..._handshake_response,
// page_protocol_basic_ok_packet, ..._err_packet, ..._eof_packet,
// page_protocol_com_query_response_text_resultset) with their 4-byte packet headers removed; where a page has
// no example, the bytes are written field by field from the layout on MariaDB's KB page ("Connection",
// "Result set packets") named beside them.
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mzl/serve/server_packets.h"
#include "mzl/util/hex.h"

namespace mzl::serve {
namespace {

// "0a 35 2e" -> {0x0a, 0x35, 0x2e}; spaces and newlines are ignored.
std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> out;
  int high = -1;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      continue;
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  REQUIRE(high < 0);
  return out;
}

std::vector<uint8_t> bytes_of(std::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

std::string hex_of(Bytes b) {
  return to_hex(b);
}

template <size_t n>
std::array<uint8_t, n> array_of(std::string_view s) {
  REQUIRE(s.size() == n);
  std::array<uint8_t, n> out{};
  std::copy(s.begin(), s.end(), out.begin());
  return out;
}

std::array<uint8_t, 20> test_sha1(Bytes a, Bytes b = {}) {
  std::array<uint8_t, 20> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  REQUIRE(EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1);
  REQUIRE(EVP_DigestUpdate(ctx, a.data(), a.size()) == 1);
  REQUIRE(EVP_DigestUpdate(ctx, b.data(), b.size()) == 1);
  unsigned int length = 0;
  REQUIRE(EVP_DigestFinal_ex(ctx, out.data(), &length) == 1);
  EVP_MD_CTX_free(ctx);
  return out;
}

// What a client sends for mysql_native_password (MySQL "Native Authentication" page):
// SHA1(password) XOR SHA1(scramble <concat> SHA1(SHA1(password))).
std::vector<uint8_t> client_native_response(std::string_view password, Bytes scramble) {
  const auto stage1 = test_sha1(Bytes(reinterpret_cast<const uint8_t*>(password.data()), password.size()));
  const auto stage2 = test_sha1(stage1);
  const auto mask = test_sha1(scramble, stage2);
  std::vector<uint8_t> out(20);
  for (size_t i = 0; i < 20; ++i) out[i] = stage1[i] ^ mask[i];
  return out;
}

TEST_CASE("HandshakeV10: the MySQL documentation's example without CLIENT_PLUGIN_AUTH") {
  Handshake handshake;
  handshake.server_version = "5.5.2-m2";
  handshake.connection_id = 0x0b;
  handshake.scramble = array_of<20>("dvH@I-CJ*4d|cZwk4^]:");
  handshake.capabilities = 0xF7FF;
  handshake.collation = kCollationLatin1SwedishCi;
  handshake.status = kServerStatusAutocommit;
  const auto expected = hex(R"(
    0a 35 2e 35 2e 32 2d 6d 32 00 0b 00 00 00 64 76 48 40 49 2d 43 4a 00 ff f7 08 02 00
    00 00 00 00 00 00 00 00 00 00 00 00 00 2a 34 64 7c 63 5a 77 6b 34 5e 5d 3a 00)");
  CHECK(hex_of(encode_handshake_v10(handshake)) == hex_of(expected));
}

TEST_CASE("HandshakeV10: the MySQL documentation's example with mysql_native_password") {
  Handshake handshake;
  handshake.server_version = "5.6.4-m7-log";
  handshake.connection_id = 0x0a56;
  handshake.scramble = array_of<20>("RB3vz&Gr+yD&/ZZ305ZG");
  handshake.capabilities = 0xC00FFFFF;
  handshake.collation = kCollationLatin1SwedishCi;
  handshake.status = kServerStatusAutocommit;
  handshake.mariadb_capabilities = 0x12345678;  // not written: bit 0 (CLIENT_MYSQL) is set
  const auto expected = hex(R"(
    0a 35 2e 36 2e 34 2d 6d 37 2d 6c 6f 67 00 56 0a 00 00 52 42 33 76 7a 26 47 72 00 ff
    ff 08 02 00 0f c0 15 00 00 00 00 00 00 00 00 00 00 2b 79 44 26 2f 5a 5a 33 30 35 5a 47 00 6d 79
    73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00)");
  CHECK(hex_of(encode_handshake_v10(handshake)) == hex_of(expected));
}

TEST_CASE(
    "HandshakeV10: a MariaDB server without CLIENT_MYSQL writes its extended capabilities in the filler") {
  // MariaDB KB "Connection", Initial handshake packet: str_6 filler, then int_4 "server capabilities 3rd
  // part, MariaDB specific flags" when !(server_capabilities & CLIENT_MYSQL).
  Handshake handshake;
  handshake.server_version = "10.11.0-MariaDB-mzl";
  handshake.connection_id = 7;
  handshake.scramble = array_of<20>("abcdefghijklmnopqrst");
  handshake.capabilities = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth;
  handshake.collation = kCollationUtf8GeneralCi;
  handshake.mariadb_capabilities = 0x00000004;
  const std::vector<uint8_t> payload = encode_handshake_v10(handshake);
  std::vector<uint8_t> expected = {0x0a};
  const auto version = bytes_of("10.11.0-MariaDB-mzl");
  expected.insert(expected.end(), version.begin(), version.end());
  const auto rest = hex(R"(
    00 07 00 00 00 61 62 63 64 65 66 67 68 00
    00 82 21 02 00 08 00 15 00 00 00 00 00 00 04 00 00 00
    69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 00
    6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00)");
  expected.insert(expected.end(), rest.begin(), rest.end());
  CHECK(hex_of(payload) == hex_of(expected));
}

TEST_CASE(
    "HandshakeV10: the default capabilities are what a 4.1+ client needs, without SSL or DEPRECATE_EOF") {
  for (uint32_t needed : {kClientProtocol41, kClientSecureConnection, kClientPluginAuth, kClientConnectWithDb,
                          kClientTransactions, kClientLongPassword}) {
    CHECK((kDefaultServerCapabilities & needed) == needed);
  }
  CHECK((kDefaultServerCapabilities & (kClientSsl | kClientDeprecateEof | kClientCompress)) == 0);
}

TEST_CASE("HandshakeResponse41: the MySQL documentation's example") {
  const auto payload = hex(R"(
    8d a6 0f 00 00 00 00 01 08 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 70 61 6d 00 14 ab 09 ee f6 bc b1 32 3e 61 14 38 65 c0 99 1d 95 7d 75 d4 47 74 65 73
    74 00 6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00)");
  const auto response = decode_handshake_response(payload);
  REQUIRE(response.ok());
  CHECK_FALSE(response->ssl_request);
  CHECK(response->capabilities == 0x000FA68D);
  CHECK(response->max_packet_size == 0x01000000);
  CHECK(response->collation == 8);
  CHECK(response->mariadb_capabilities == 0);
  CHECK(response->user == "pam");
  CHECK(hex_of(response->auth_response) == "ab09eef6bcb1323e61143865c0991d957d75d447");
  CHECK(response->database == "test");
  CHECK(response->auth_plugin == "mysql_native_password");
}

TEST_CASE("HandshakeResponse41: the SSLRequest is the 32-byte fixed part with CLIENT_SSL") {
  // MariaDB KB "Connection", SSLRequest packet: int_4 capabilities, int_4 max packet size, int_1
  // collation, str_19 reserved, int_4 extended client capabilities.
  const auto payload = hex(R"(
    0c aa 3e 00 00 00 00 01 21 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 04 00 00 00)");
  const auto response = decode_handshake_response(payload);
  REQUIRE(response.ok());
  CHECK(response->ssl_request);
  CHECK((response->capabilities & kClientSsl) != 0);
  CHECK(response->collation == kCollationUtf8GeneralCi);
  CHECK(response->mariadb_capabilities == 4);
  CHECK(response->user.empty());

  // The same 32 bytes without CLIENT_SSL are a response without its user name.
  auto no_ssl = payload;
  no_ssl[1] &= static_cast<uint8_t>(~(kClientSsl >> 8));
  const auto refused = decode_handshake_response(no_ssl);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kCorrupt);
}

TEST_CASE("HandshakeResponse41: lenenc auth data, no database, connection attributes skipped") {
  // CLIENT_PROTOCOL_41 | SECURE_CONNECTION | PLUGIN_AUTH | CONNECT_ATTRS | PLUGIN_AUTH_LENENC_CLIENT_DATA,
  // user "repl", auth-response as a length-encoded string (3 bytes), plugin name, attributes
  // (lenenc total 0x0b: lenenc "_os" lenenc "Linux"... as key/value lenenc strings).
  const auto payload = hex(R"(
    00 82 38 00  00 00 00 40  2d  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  00 00 00 00
    72 65 70 6c 00
    03 01 02 03
    6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00
    0a 03 5f 6f 73 05 4c 69 6e 75 78)");
  const auto response = decode_handshake_response(payload);
  REQUIRE(response.ok());
  CHECK(response->capabilities == (kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                                   kClientConnectAttrs | kClientPluginAuthLenencClientData));
  CHECK(response->max_packet_size == 0x40000000);
  CHECK(response->collation == 0x2d);
  CHECK(response->user == "repl");
  CHECK(hex_of(response->auth_response) == "010203");
  CHECK(response->database.empty());
  CHECK(response->auth_plugin == "mysql_native_password");

  // Attributes that claim more bytes than remain.
  auto long_attrs = payload;
  long_attrs[long_attrs.size() - 11] = 0x0b;
  CHECK(decode_handshake_response(long_attrs).error().code == ErrorCode::kCorrupt);
}

TEST_CASE("HandshakeResponse41: a client without CLIENT_PROTOCOL_41 is unsupported") {
  // The MySQL documentation's HandshakeResponse320 example.
  const auto payload = hex("85 24 00 00 00 6f 6c 64 00 47 44 53 43 51 59 52 5f");
  const auto response = decode_handshake_response(payload);
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::kUnsupported);
}

TEST_CASE("HandshakeResponse41: every truncation of a response is refused or decoded, never read past") {
  const auto payload = hex(R"(
    8d a6 0f 00 00 00 00 01 08 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
    00 00 00 00 70 61 6d 00 14 ab 09 ee f6 bc b1 32 3e 61 14 38 65 c0 99 1d 95 7d 75 d4 47 74 65 73
    74 00 6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00)");
  for (size_t length = 0; length < payload.size(); ++length) {
    // A copy of exactly `length` bytes, so that AddressSanitizer sees any read past it.
    const std::vector<uint8_t> cut(payload.begin(), payload.begin() + static_cast<ptrdiff_t>(length));
    const auto response = decode_handshake_response(cut);
    INFO("length " << length);
    // Whole fields may be missing at the end (after the auth response: 57 bytes); a cut field may not.
    const bool ends_at_field = length == 57 || length == 62;
    if (ends_at_field) {
      REQUIRE(response.ok());
      CHECK(response->user == "pam");
      CHECK(response->auth_plugin.empty());
    } else {
      REQUIRE_FALSE(response.ok());
      CHECK(response.error().code == ErrorCode::kCorrupt);
    }
  }
  // Every byte value at every position (one at a time) decodes or is refused without a crash.
  for (size_t at = 0; at < payload.size(); ++at) {
    for (int value : {0x00, 0x14, 0x15, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF}) {
      auto damaged = payload;
      damaged[at] = static_cast<uint8_t>(value);
      (void)decode_handshake_response(damaged);
    }
  }
}

TEST_CASE("mysql_native_password: the stored hash is SHA1(SHA1(password)), as mysql.user shows it") {
  // MySQL reference manual, PASSWORD(): 'mypass' -> '*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4'.
  CHECK(hex_of(native_password_hash("mypass")) == "6c8989366eaf75bb670ad8ea7a7fc1176a95cef4");
  CHECK(hex_of(native_password_hash("password")) == "2470c0c06dee42fd1618bb99005adca2ec9d1e19");
}

TEST_CASE("mysql_native_password: the client's answer to the scramble is verified") {
  const auto scramble = array_of<20>("RB3vz&Gr+yD&/ZZ305ZG");
  const auto stored = native_password_hash("s3cret!");
  CHECK(verify_native_password(scramble, client_native_response("s3cret!", scramble), stored));
  CHECK_FALSE(verify_native_password(scramble, client_native_response("s3cret?", scramble), stored));
  auto other_scramble = scramble;
  other_scramble[0] ^= 1;
  CHECK_FALSE(verify_native_password(other_scramble, client_native_response("s3cret!", scramble), stored));
  // Wrong lengths and an empty answer to a non-empty password.
  auto answer = client_native_response("s3cret!", scramble);
  answer.pop_back();
  CHECK_FALSE(verify_native_password(scramble, answer, stored));
  CHECK_FALSE(verify_native_password(scramble, {}, stored));
  CHECK_FALSE(
      verify_native_password(Bytes(scramble.data(), 8), client_native_response("s3cret!", scramble), stored));
  // A client with an empty password sends an empty answer.
  CHECK(verify_native_password(scramble, {}, native_password_hash("")));
  CHECK_FALSE(verify_native_password(scramble, {}, NativePasswordHash{}));
}

TEST_CASE("random_scramble: 20 bytes without NUL or '$', different each time") {
  const auto a = random_scramble();
  const auto b = random_scramble();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a != *b);
  for (uint8_t c : *a) {
    CHECK(c != 0);
    CHECK(c != '$');
    CHECK(c < 0x80);
  }
}

TEST_CASE("AuthSwitchRequest: 0xFE, plugin name NUL, scramble and NUL") {
  // MySQL "Protocol::AuthSwitchRequest": 0xFE, string<NUL> plugin name, string<EOF> plugin data; the
  // documented example for mysql_native_password is a 44-byte payload (the scramble ends with a NUL).
  const auto scramble = array_of<20>("zQg4i6oNy6=]N|K.)[]\x01");
  const auto payload = auth_switch_request("mysql_native_password", scramble);
  CHECK(payload.size() == 44);
  const auto expected = hex(R"(
    fe 6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70 61 73 73 77 6f 72 64 00
    7a 51 67 34 69 36 6f 4e 79 36 3d 5d 4e 7c 4b 2e 29 5b 5d 01 00)");
  CHECK(hex_of(payload) == hex_of(expected));
}

TEST_CASE("OK, ERR and EOF packets: the MySQL documentation's examples") {
  CHECK(hex_of(ok_packet(0, 0, kServerStatusAutocommit, 0)) == "00000002000000");
  // Length-encoded integers (MariaDB KB "Protocol Data Types"): < 251 one byte, else 0xFC + 2, 0xFD + 3,
  // 0xFE + 8 bytes.
  CHECK(hex_of(ok_packet(251, 0x10000, 0, 1, "Rows matched: 1")) ==
        hex_of(hex("00 fc fb 00 fd 00 00 01 00 00 01 00")) + hex_of(bytes_of("Rows matched: 1")));
  CHECK(hex_of(ok_packet(uint64_t{1} << 24, 0, kServerStatusAutocommit, 0)) ==
        hex_of(hex("00  fe 00 00 00 01 00 00 00 00  00  02 00  00 00")));
  CHECK(hex_of(err_packet(1096, "HY000", "No tables used")) ==
        hex_of(hex("ff 48 04 23 48 59 30 30 30 4e 6f 20 74 61 62 6c 65 73 20 75 73 65 64")));
  CHECK(hex_of(err_packet(1045, "28000", "Access denied")).substr(0, 18) == "ff1504233238303030");
  CHECK(hex_of(err_packet(1236, "bad", "x")) == "ffd40423485930303078");
  CHECK(hex_of(eof_packet(0, kServerStatusAutocommit)) == "fe00000200");
}

TEST_CASE("Text result set: the MySQL documentation's SELECT @@version_comment example") {
  const auto packets = text_result_set({"@@version_comment"}, {{std::string("MySQL Community Server (GPL)")}},
                                       false, kServerStatusAutocommit, kCollationLatin1SwedishCi);
  REQUIRE(packets.size() == 5);
  CHECK(hex_of(packets[0]) == "01");
  CHECK(hex_of(packets[1]) == hex_of(hex(R"(
    03 64 65 66 00 00 00 11 40 40 76 65 72 73 69 6f 6e 5f 63 6f 6d 6d 65 6e 74 00 0c 08
    00 1c 00 00 00 fd 00 00 1f 00 00)")));
  CHECK(hex_of(packets[2]) == "fe00000200");
  CHECK(hex_of(packets[3]) == hex_of(hex(R"(
    1c 4d 79 53 51 4c 20 43 6f 6d 6d 75 6e 69 74 79 20 53 65 72 76 65 72 20 28 47 50 4c 29)")));
  CHECK(hex_of(packets[4]) == "fe00000200");
}

TEST_CASE("Text result set: NULL values, no rows, and CLIENT_DEPRECATE_EOF") {
  // MariaDB KB "Result set packets": without EOF packets the column definitions are followed directly by
  // the rows, and the set ends with an OK packet whose header is 0xFE; NULL is 0xFB.
  const auto packets = text_result_set(
      {"Variable_name", "Value"},
      {{std::string("gtid_domain_id"), std::string("0")}, {std::string("gtid_binlog_pos"), std::nullopt}},
      true);
  REQUIRE(packets.size() == 1 + 2 + 2 + 1);
  CHECK(hex_of(packets[0]) == "02");
  // utf8_general_ci (33 = 0x21), length 15 (the longest value of the first column).
  CHECK(hex_of(packets[1]) == hex_of(hex(R"(
    03 64 65 66 00 00 00 0d 56 61 72 69 61 62 6c 65 5f 6e 61 6d 65 00 0c 21 00 0f 00 00 00 fd 00 00 1f 00 00)")));
  CHECK(hex_of(packets[2]) ==
        hex_of(hex("03 64 65 66 00 00 00 05 56 61 6c 75 65 00 0c 21 00 01 00 00 00 fd 00 00 1f 00 00")));
  CHECK(hex_of(packets[3]) == hex_of(hex("0e 67 74 69 64 5f 64 6f 6d 61 69 6e 5f 69 64 01 30")));
  CHECK(hex_of(packets[4]) == hex_of(hex("0f 67 74 69 64 5f 62 69 6e 6c 6f 67 5f 70 6f 73 fb")));
  CHECK(hex_of(packets[5]) == "fe000002000000");

  const auto empty = text_result_set({"a"}, {}, false);
  REQUIRE(empty.size() == 4);
  CHECK(hex_of(empty[1]) ==
        hex_of(hex("03 64 65 66 00 00 00 01 61 00 0c 21 00 00 00 00 00 fd 00 00 1f 00 00")));
  CHECK(hex_of(empty[2]) == "fe00000200");
  CHECK(hex_of(empty[3]) == "fe00000200");
}

}  // namespace
}  // namespace mzl::serve
