#include "mzl/serve/server_packets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>

#include "mzl/util/byte_writer.h"

namespace mzl::serve {

namespace {

constexpr uint8_t kProtocolVersion = 10;
constexpr uint8_t kOkHeader = 0x00;
constexpr uint8_t kEofHeader = 0xFE;
constexpr uint8_t kErrHeader = 0xFF;
constexpr uint8_t kNullValue = 0xFB;
constexpr size_t kScrambleFirstPart = 8;
constexpr size_t kHandshakeResponseFixedPart = 32;  // capabilities, max packet, collation, 23-byte filler
constexpr size_t kResponseFillerBeforeMariadbCapabilities = 19;
constexpr uint8_t kMysqlTypeVarString = 0xFD;
constexpr uint8_t kColumnDefinitionFixedLength = 0x0C;
constexpr uint8_t kNotFixedDecimals = 0x1F;

using Sha1 = std::array<uint8_t, 20>;

Sha1 sha1(std::initializer_list<Bytes> parts) {
  Sha1 out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int length = 0;
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1;
  for (Bytes part : parts) ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &length) == 1 && length == out.size();
  EVP_MD_CTX_free(ctx);
  // SHA-1 is in every OpenSSL provider set; should it ever fail, all-zero never matches a real hash and a
  // check against it fails closed (an all-zero `stored` is refused in verify_native_password).
  if (!ok) out.fill(0);
  return out;
}

Bytes as_bytes(std::string_view s) {
  return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

void lenenc_string(ByteWriter& out, std::string_view s) {
  out.packed_uint(s.size());
  out.string(s);
}

Error corrupt(std::string_view what) {
  return Error(ErrorCode::kCorrupt, std::string("malformed handshake response: ") + std::string(what));
}

}  // namespace

std::vector<uint8_t> encode_handshake_v10(const Handshake& handshake) {
  const uint32_t caps = handshake.capabilities;
  ByteWriter out;
  out.u8(kProtocolVersion);
  out.cstring(handshake.server_version);
  out.u32le(handshake.connection_id);
  out.bytes(Bytes(handshake.scramble.data(), kScrambleFirstPart));
  out.u8(0);
  out.u16le(static_cast<uint16_t>(caps));
  out.u8(handshake.collation);
  out.u16le(handshake.status);
  out.u16le(static_cast<uint16_t>(caps >> 16));
  out.u8((caps & kClientPluginAuth) != 0 ? kScrambleLength + 1 : 0);
  out.uint_le(0, 6);
  out.u32le((caps & kClientLongPassword) != 0 ? 0 : handshake.mariadb_capabilities);
  if ((caps & kClientSecureConnection) != 0) {
    // MAX(13, auth_plugin_data_len - 8) bytes: the last 12 of the scramble and a NUL.
    out.bytes(Bytes(handshake.scramble.data() + kScrambleFirstPart, kScrambleLength - kScrambleFirstPart));
    out.u8(0);
  }
  if ((caps & kClientPluginAuth) != 0) out.cstring(handshake.auth_plugin);
  return out.take();
}

Result<HandshakeResponse> decode_handshake_response(Bytes payload) {
  ByteReader in(payload);
  HandshakeResponse response;
  if (payload.size() < kHandshakeResponseFixedPart) {
    // A HandshakeResponse320 is shorter than that too, but announces no CLIENT_PROTOCOL_41.
    if (payload.size() >= 2 && (ByteReader(payload).u16le() & kClientProtocol41) == 0) {
      return Error(ErrorCode::kUnsupported, "a pre-4.1 client (HandshakeResponse320) is not supported");
    }
    return corrupt("shorter than its 32-byte fixed part");
  }
  response.capabilities = in.u32le();
  if ((response.capabilities & kClientProtocol41) == 0) {
    return Error(ErrorCode::kUnsupported, "a pre-4.1 client (HandshakeResponse320) is not supported");
  }
  response.max_packet_size = in.u32le();
  response.collation = in.u8();
  in.skip(kResponseFillerBeforeMariadbCapabilities);
  response.mariadb_capabilities = in.u32le();
  if (in.empty()) {
    if ((response.capabilities & kClientSsl) == 0) return corrupt("no user name and no CLIENT_SSL");
    response.ssl_request = true;
    return response;
  }

  response.user = std::string(in.cstring());
  if (in.failed()) return corrupt("the user name has no terminating NUL");

  const uint32_t caps = response.capabilities;
  Bytes auth;
  if ((caps & kClientPluginAuthLenencClientData) != 0) {
    const std::optional<uint64_t> length = in.lenenc();
    if (in.failed() || !length.has_value()) return corrupt("bad length of the auth response");
    if (*length > in.remaining()) return corrupt("the auth response runs past the end");
    auth = in.bytes(static_cast<size_t>(*length));
  } else if ((caps & kClientSecureConnection) != 0) {
    const uint8_t length = in.u8();
    auth = in.bytes(length);
    if (in.failed()) return corrupt("the auth response runs past the end");
  } else {
    auth = as_bytes(in.cstring());
    if (in.failed()) return corrupt("the auth response has no terminating NUL");
  }
  response.auth_response.assign(auth.begin(), auth.end());

  if ((caps & kClientConnectWithDb) != 0 && !in.empty()) {
    response.database = std::string(in.cstring());
    if (in.failed()) return corrupt("the database name has no terminating NUL");
  }
  if ((caps & kClientPluginAuth) != 0 && !in.empty()) {
    response.auth_plugin = std::string(in.cstring());
    if (in.failed()) return corrupt("the auth plugin name has no terminating NUL");
  }
  if ((caps & kClientConnectAttrs) != 0 && !in.empty()) {
    const std::optional<uint64_t> length = in.lenenc();
    if (in.failed() || !length.has_value() || *length > in.remaining()) {
      return corrupt("the connection attributes run past the end");
    }
    in.skip(static_cast<size_t>(*length));
  }
  // What may follow (MySQL 8's zstd compression level) is not used here.
  return response;
}

NativePasswordHash native_password_hash(std::string_view password) {
  const Sha1 stage1 = sha1({as_bytes(password)});
  return sha1({Bytes(stage1)});
}

bool verify_native_password(Bytes scramble, Bytes auth_response, const NativePasswordHash& stored) {
  if (stored == NativePasswordHash{}) return false;
  if (auth_response.empty()) {
    const NativePasswordHash empty = native_password_hash("");
    return CRYPTO_memcmp(empty.data(), stored.data(), stored.size()) == 0;
  }
  if (auth_response.size() != stored.size() || scramble.size() < kScrambleLength) return false;
  const Sha1 mask = sha1({scramble.first(kScrambleLength), Bytes(stored)});
  Sha1 stage1{};
  for (size_t i = 0; i < stage1.size(); ++i) stage1[i] = auth_response[i] ^ mask[i];
  const Sha1 candidate = sha1({Bytes(stage1)});
  return CRYPTO_memcmp(candidate.data(), stored.data(), stored.size()) == 0;
}

Result<Scramble> random_scramble() {
  Scramble out{};
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return Error(ErrorCode::kInternal, "OpenSSL could not produce random bytes for the scramble");
  }
  for (uint8_t& b : out) {
    b &= 0x7F;
    if (b == 0 || b == '$') b += 1;
  }
  return out;
}

std::vector<uint8_t> auth_switch_request(std::string_view plugin, Bytes scramble) {
  ByteWriter out;
  out.u8(kEofHeader);
  out.cstring(plugin);
  out.bytes(scramble);
  out.u8(0);
  return out.take();
}

std::vector<uint8_t> ok_packet(uint64_t affected_rows, uint64_t last_insert_id, uint16_t status,
                               uint16_t warnings, std::string_view info) {
  ByteWriter out;
  out.u8(kOkHeader);
  out.packed_uint(affected_rows);
  out.packed_uint(last_insert_id);
  out.u16le(status);
  out.u16le(warnings);
  out.string(info);
  return out.take();
}

std::vector<uint8_t> err_packet(uint16_t code, std::string_view sqlstate, std::string_view message) {
  ByteWriter out;
  out.u8(kErrHeader);
  out.u16le(code);
  out.u8('#');
  out.string(sqlstate.size() == 5 ? sqlstate : std::string_view("HY000"));
  out.string(message);
  return out.take();
}

std::vector<uint8_t> eof_packet(uint16_t warnings, uint16_t status) {
  ByteWriter out;
  out.u8(kEofHeader);
  out.u16le(warnings);
  out.u16le(status);
  return out.take();
}

std::vector<std::vector<uint8_t>> text_result_set(
    const std::vector<std::string>& column_names,
    const std::vector<std::vector<std::optional<std::string>>>& rows, bool deprecate_eof, uint16_t status,
    uint8_t collation) {
  std::vector<std::vector<uint8_t>> packets;
  packets.reserve(column_names.size() + rows.size() + 3);

  ByteWriter count;
  count.packed_uint(column_names.size());
  packets.push_back(count.take());

  for (size_t column = 0; column < column_names.size(); ++column) {
    size_t longest = 0;
    for (const auto& row : rows) {
      if (column < row.size() && row[column].has_value()) longest = std::max(longest, row[column]->size());
    }
    ByteWriter definition;
    lenenc_string(definition, "def");
    lenenc_string(definition, "");  // schema
    lenenc_string(definition, "");  // table alias
    lenenc_string(definition, "");  // table
    lenenc_string(definition, column_names[column]);
    lenenc_string(definition, "");  // original column name: none, as for an expression
    definition.u8(kColumnDefinitionFixedLength);
    definition.u16le(collation);
    definition.u32le(static_cast<uint32_t>(std::min<size_t>(longest, UINT32_MAX)));
    definition.u8(kMysqlTypeVarString);
    definition.u16le(0);  // flags
    definition.u8(kNotFixedDecimals);
    definition.u16le(0);  // filler
    packets.push_back(definition.take());
  }
  if (!deprecate_eof) packets.push_back(eof_packet(0, status));

  for (const auto& row : rows) {
    ByteWriter out;
    for (size_t column = 0; column < column_names.size(); ++column) {
      if (column >= row.size() || !row[column].has_value()) {
        out.u8(kNullValue);
      } else {
        lenenc_string(out, *row[column]);
      }
    }
    packets.push_back(out.take());
  }

  if (deprecate_eof) {
    std::vector<uint8_t> end = ok_packet(0, 0, status, 0);
    end[0] = kEofHeader;
    packets.push_back(std::move(end));
  } else {
    packets.push_back(eof_packet(0, status));
  }
  return packets;
}

}  // namespace mzl::serve
