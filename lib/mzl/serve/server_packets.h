#pragma once
// The packets a server sends and the one it decodes during the connection phase and simple queries of the
// MySQL/MariaDB client/server protocol: the initial handshake, the client's handshake response, the
// mysql_native_password check, OK, ERR, EOF and a text result set. Pure functions over payloads (no packet
// header, no I/O: packet_channel.h frames and sends them).
//
// References: MariaDB KB "Connection" (https://mariadb.com/kb/en/connection/), "OK_Packet", "ERR_Packet",
// "EOF_Packet", "Result set packets"; MySQL's "Protocol::HandshakeV10", "Protocol::HandshakeResponse41",
// "Column Definition" pages (dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_*.html).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::serve {

// Capability flags (MySQL include/mysql_com.h, MariaDB include/mysql_com.h). Bit 0 is CLIENT_LONG_PASSWORD
// for MySQL and CLIENT_MYSQL for MariaDB: a server that sets it is "MySQL" to a MariaDB client, which then
// neither reads nor sends the MariaDB extended capabilities (the 4 bytes in the handshake's filler).
inline constexpr uint32_t kClientLongPassword = 1u << 0;
inline constexpr uint32_t kClientFoundRows = 1u << 1;
inline constexpr uint32_t kClientLongFlag = 1u << 2;
inline constexpr uint32_t kClientConnectWithDb = 1u << 3;
inline constexpr uint32_t kClientCompress = 1u << 5;
inline constexpr uint32_t kClientLocalFiles = 1u << 7;
inline constexpr uint32_t kClientProtocol41 = 1u << 9;
inline constexpr uint32_t kClientInteractive = 1u << 10;
inline constexpr uint32_t kClientSsl = 1u << 11;
inline constexpr uint32_t kClientTransactions = 1u << 13;
inline constexpr uint32_t kClientSecureConnection = 1u << 15;
inline constexpr uint32_t kClientMultiStatements = 1u << 16;
inline constexpr uint32_t kClientMultiResults = 1u << 17;
inline constexpr uint32_t kClientPluginAuth = 1u << 19;
inline constexpr uint32_t kClientConnectAttrs = 1u << 20;
inline constexpr uint32_t kClientPluginAuthLenencClientData = 1u << 21;
inline constexpr uint32_t kClientSessionTrack = 1u << 23;
inline constexpr uint32_t kClientDeprecateEof = 1u << 24;

// What mzl's serve announces by default. Not CLIENT_SSL (add it only when a certificate is configured), not
// CLIENT_DEPRECATE_EOF (add it only if every result set sent passes the negotiated flag to
// text_result_set), not CLIENT_SESSION_TRACK (ok_packet writes no session state), not CLIENT_COMPRESS.
inline constexpr uint32_t kDefaultServerCapabilities =
    kClientLongPassword | kClientFoundRows | kClientLongFlag | kClientConnectWithDb | kClientProtocol41 |
    kClientTransactions | kClientSecureConnection | kClientMultiResults | kClientPluginAuth |
    kClientConnectAttrs | kClientPluginAuthLenencClientData;

// Server status flags (SERVER_STATUS_*).
inline constexpr uint16_t kServerStatusInTrans = 0x0001;
inline constexpr uint16_t kServerStatusAutocommit = 0x0002;

// Collation ids (the low 8 bits travel in the handshake and the handshake response).
inline constexpr uint8_t kCollationLatin1SwedishCi = 8;
inline constexpr uint8_t kCollationUtf8GeneralCi = 33;
inline constexpr uint8_t kCollationBinary = 63;

inline constexpr size_t kScrambleLength = 20;
using Scramble = std::array<uint8_t, kScrambleLength>;
using NativePasswordHash = std::array<uint8_t, 20>;  // SHA1(SHA1(password))

inline constexpr std::string_view kNativePasswordPlugin = "mysql_native_password";

// Protocol::HandshakeV10, the server's first packet.
struct Handshake {
  // For MariaDB replicas it must contain "MariaDB" (e.g. "10.11.0-MariaDB-mzl"): a replica decides from
  // it that its primary is MariaDB and uses MariaDB GTIDs. (MariaDB servers before 11.0 prefix "5.5.5-"
  // for old MySQL clients; libmariadb strips that prefix; it is the caller's choice.)
  std::string server_version;
  uint32_t connection_id = 0;
  Scramble scramble{};
  uint32_t capabilities = kDefaultServerCapabilities;
  uint8_t collation = kCollationUtf8GeneralCi;
  uint16_t status = kServerStatusAutocommit;
  std::string auth_plugin = std::string(kNativePasswordPlugin);
  // MariaDB 10.2+ extended capabilities; written only when `capabilities` lacks bit 0 (CLIENT_MYSQL).
  uint32_t mariadb_capabilities = 0;
};

// The payload: protocol 10, version NUL, connection id, scramble[0..8), 0x00, capabilities low 16 bits,
// collation, status, capabilities high 16 bits, 21 (scramble + NUL) when CLIENT_PLUGIN_AUTH else 0, 6 zero
// bytes, 4 bytes MariaDB capabilities or zero, scramble[8..20) and its NUL when CLIENT_SECURE_CONNECTION,
// the plugin name NUL when CLIENT_PLUGIN_AUTH.
std::vector<uint8_t> encode_handshake_v10(const Handshake& handshake);

// Protocol::HandshakeResponse41, or the SSLRequest that precedes it on a TLS connection.
struct HandshakeResponse {
  // The 32-byte SSLRequest: only capabilities, max_packet_size, collation and mariadb_capabilities are
  // set; the server starts TLS and then reads the real response.
  bool ssl_request = false;
  uint32_t capabilities = 0;
  uint32_t max_packet_size = 0;
  uint8_t collation = 0;
  // The last 4 bytes of the 23-byte filler: MariaDB clients put their extended capabilities there when the
  // server's handshake lacked CLIENT_MYSQL, zeros otherwise.
  uint32_t mariadb_capabilities = 0;
  std::string user;
  std::vector<uint8_t> auth_response;
  std::string database;     // "" when the client sent none
  std::string auth_plugin;  // "" when the client sent none (a client without CLIENT_PLUGIN_AUTH)
};

// Decodes the client's reply to the handshake. Fields after the auth response that the capabilities
// announce may be absent at the end of the payload (older clients stop early); one that starts but does
// not end (no NUL, a length past the end) is kCorrupt, and so is a payload shorter than 32 bytes. The
// connection attributes are checked for length and skipped. kUnsupported for a client without
// CLIENT_PROTOCOL_41 (HandshakeResponse320). Never reads outside `payload`.
Result<HandshakeResponse> decode_handshake_response(Bytes payload);

// SHA1(SHA1(password)): what mysql.user stores for mysql_native_password (shown there as '*' and these 20
// bytes in upper-case hex).
NativePasswordHash native_password_hash(std::string_view password);

// Whether `auth_response` is the client's mysql_native_password answer to `scramble` (20 bytes) for the
// password whose hash is `stored`: SHA1(password) XOR SHA1(scramble + stored) from the client, hashed once
// more, must equal `stored`. An empty answer is a client's empty password: true only when `stored` is
// native_password_hash(""). Compares in constant time.
bool verify_native_password(Bytes scramble, Bytes auth_response, const NativePasswordHash& stored);

// 20 random bytes (OpenSSL RAND_bytes) in 0x01..0x7F without '$', as servers make them, since some clients
// read the scramble up to a NUL. kInternal when OpenSSL has no randomness.
Result<Scramble> random_scramble();

// The AuthSwitchRequest: 0xFE, the plugin name NUL, then the plugin's data (for mysql_native_password the
// 20-byte scramble and a NUL, as servers send it). The client answers with the plugin's response alone.
std::vector<uint8_t> auth_switch_request(std::string_view plugin, Bytes scramble);

// OK_Packet for a client with CLIENT_PROTOCOL_41 and without CLIENT_SESSION_TRACK: 0x00, affected rows and
// last insert id as length-encoded integers, status, warnings, then `info` to the end of the payload.
std::vector<uint8_t> ok_packet(uint64_t affected_rows = 0, uint64_t last_insert_id = 0,
                               uint16_t status = kServerStatusAutocommit, uint16_t warnings = 0,
                               std::string_view info = {});

// ERR_Packet with the SQL state: 0xFF, the error code, '#', `sqlstate` (5 characters; "HY000" when it is not
// 5 long), the message to the end of the payload.
std::vector<uint8_t> err_packet(uint16_t code, std::string_view sqlstate, std::string_view message);

// EOF_Packet (CLIENT_PROTOCOL_41): 0xFE, warnings, status.
std::vector<uint8_t> eof_packet(uint16_t warnings = 0, uint16_t status = kServerStatusAutocommit);

// A column-count-first text result set (the answer to a COM_QUERY), as the payloads of its packets in
// order: the column count; one Column Definition per name (catalog "def", empty schema, table and original
// names, type MYSQL_TYPE_VAR_STRING, `collation`, length the longest value in bytes, flags 0, decimals
// 0x1F); an EOF packet unless `deprecate_eof`; one row per element of `rows` (each value a length-encoded
// string, NULL as 0xFB; a short row's missing values are NULL, values past the columns are dropped); then an
// EOF packet, or with `deprecate_eof` an OK packet whose header is 0xFE. `deprecate_eof` must be what the
// client and server both announced (CLIENT_DEPRECATE_EOF in both).
std::vector<std::vector<uint8_t>> text_result_set(
    const std::vector<std::string>& column_names,
    const std::vector<std::vector<std::optional<std::string>>>& rows, bool deprecate_eof,
    uint16_t status = kServerStatusAutocommit, uint8_t collation = kCollationUtf8GeneralCi);

}  // namespace mzl::serve
