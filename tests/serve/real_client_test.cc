// A real client, libmariadb (what MariaDB replicas and the `mariadb` command link), logs in to a minimal
// server built from server_packets.h and PacketChannel on a loopback port, with and without TLS and
// through an AuthSwitchRequest, runs a query and reads its text result set; a wrong password gets the
// server's "Access denied" error. This checks the packets against a client, not only against the
// documentation's examples.
#include <arpa/inet.h>
#include <mysql.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "mzl/serve/packet_channel.h"
#include "mzl/serve/server_packets.h"

namespace mzl::serve {
namespace {

using namespace std::chrono_literals;

constexpr const char* kServerVersion = "10.11.0-MariaDB-mzl";
constexpr uint8_t kComQuit = 0x01;
constexpr uint8_t kComQuery = 0x03;
constexpr uint8_t kComPing = 0x0E;

struct ServerSettings {
  NativePasswordHash password = native_password_hash("repl-secret");
  const TlsServerContext* tls = nullptr;
  bool force_auth_switch = false;
};

// Serves one connection: handshake, (TLS), authentication, then COM_QUERY (one fixed result set),
// COM_PING and COM_QUIT. Returns what went wrong on the server's side, "" when nothing did.
std::string serve_one(int listener, const ServerSettings& settings) {
  const int fd = ::accept(listener, nullptr, nullptr);
  if (fd < 0) return "accept failed";
  PacketChannelOptions options;
  options.read_timeout = 10s;
  options.write_timeout = 10s;
  PacketChannel channel(fd, options);
  std::string failure;
  [&] {
    auto scramble = random_scramble();
    if (!scramble.ok()) return void(failure = scramble.error().to_string());
    Handshake handshake;
    handshake.server_version = kServerVersion;
    handshake.connection_id = 42;
    handshake.scramble = *scramble;
    if (settings.tls != nullptr) handshake.capabilities |= kClientSsl;
    // Announced so that the negotiation is exercised; libmariadb 3.3 does not set it, so the result set
    // keeps its EOF packets (the 0xFE OK ending is checked against the documentation only).
    handshake.capabilities |= kClientDeprecateEof;
    if (auto s = channel.write_packet(encode_handshake_v10(handshake)); !s.ok()) {
      return void(failure = s.error().to_string());
    }
    auto packet = channel.read_packet();
    if (!packet.ok()) return void(failure = packet.error().to_string());
    auto response = decode_handshake_response(*packet);
    if (!response.ok()) return void(failure = response.error().to_string());
    if (response->ssl_request) {
      if (settings.tls == nullptr) return void(failure = "SSLRequest without CLIENT_SSL");
      if (auto s = channel.accept_tls(*settings.tls); !s.ok()) return void(failure = s.error().to_string());
      packet = channel.read_packet();
      if (!packet.ok()) return void(failure = packet.error().to_string());
      response = decode_handshake_response(*packet);
      if (!response.ok()) return void(failure = response.error().to_string());
    }
    std::vector<uint8_t> answer = response->auth_response;
    Scramble used = handshake.scramble;
    if (settings.force_auth_switch || response->auth_plugin != kNativePasswordPlugin) {
      auto fresh = random_scramble();
      if (!fresh.ok()) return void(failure = fresh.error().to_string());
      used = *fresh;
      if (auto s = channel.write_packet(auth_switch_request(kNativePasswordPlugin, used)); !s.ok()) {
        return void(failure = s.error().to_string());
      }
      auto switched = channel.read_packet();
      if (!switched.ok()) return void(failure = switched.error().to_string());
      answer = *switched;
    }
    if (response->user != "repl" || !verify_native_password(used, answer, settings.password)) {
      (void)channel.write_packet(err_packet(1045, "28000",
                                            "Access denied for user '" + response->user +
                                                "' (using password: " + (answer.empty() ? "NO" : "YES") +
                                                ")"));
      (void)channel.flush();
      return;
    }
    const bool deprecate_eof = (response->capabilities & handshake.capabilities & kClientDeprecateEof) != 0;
    if (auto s = channel.write_packet(ok_packet()); !s.ok()) return void(failure = s.error().to_string());
    for (;;) {
      auto command = channel.read_packet();
      if (!command.ok()) return void(failure = command.error().to_string());
      if (command->empty() || (*command)[0] == kComQuit) return;
      Status sent;
      if ((*command)[0] == kComQuery) {
        const std::string query(command->begin() + 1, command->end());
        sent = channel.write_packets(text_result_set(
            {"@@version_comment", "nothing"},
            {{std::string("mzl serve"), std::nullopt}, {query, std::string("")}}, deprecate_eof));
      } else if ((*command)[0] == kComPing) {
        sent = channel.write_packet(ok_packet());
      } else {
        sent = channel.write_packet(err_packet(1047, "08S01", "Unknown command"));
      }
      if (!sent.ok()) return void(failure = sent.error().to_string());
    }
  }();
  (void)channel.flush();
  ::close(fd);
  return failure;
}

struct Listener {
  int fd = -1;
  int port = 0;
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    socklen_t length = sizeof(address);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port = ntohs(address.sin_port);
  }
  ~Listener() { ::close(fd); }
};

struct ClientOutcome {
  unsigned error = 0;
  std::string message;
  std::string sqlstate;
  std::string server_version;
  std::string cipher;
  std::vector<std::string> field_names;
  std::vector<std::vector<std::optional<std::string>>> rows;
  bool ping_ok = false;
};

ClientOutcome connect_and_query(int port, const char* password, bool tls) {
  ClientOutcome outcome;
  MYSQL* mysql = mysql_init(nullptr);
  REQUIRE(mysql != nullptr);
  unsigned timeout = 10;
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &timeout);
  mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
  my_bool no = 0;
  mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &no);
  if (tls) {
    my_bool yes = 1;
    mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &yes);
  }
  if (mysql_real_connect(mysql, "127.0.0.1", "repl", password, nullptr, static_cast<unsigned>(port), nullptr,
                         0) == nullptr) {
    outcome.error = mysql_errno(mysql);
    outcome.message = mysql_error(mysql);
    outcome.sqlstate = mysql_sqlstate(mysql);
    mysql_close(mysql);
    return outcome;
  }
  outcome.server_version = mysql_get_server_info(mysql);
  if (const char* cipher = mysql_get_ssl_cipher(mysql); cipher != nullptr) outcome.cipher = cipher;
  if (mysql_query(mysql, "SELECT @@version_comment") == 0) {
    MYSQL_RES* result = mysql_store_result(mysql);
    if (result != nullptr) {
      const unsigned fields = mysql_num_fields(result);
      for (unsigned i = 0; i < fields; ++i)
        outcome.field_names.emplace_back(mysql_fetch_field_direct(result, i)->name);
      while (MYSQL_ROW row = mysql_fetch_row(result)) {
        const unsigned long* lengths = mysql_fetch_lengths(result);
        auto& out = outcome.rows.emplace_back();
        for (unsigned i = 0; i < fields; ++i) {
          out.push_back(row[i] == nullptr ? std::nullopt
                                          : std::optional<std::string>(std::string(row[i], lengths[i])));
        }
      }
      mysql_free_result(result);
    }
  }
  if (outcome.rows.empty()) outcome.message = mysql_error(mysql);
  outcome.ping_ok = mysql_ping(mysql) == 0;
  mysql_close(mysql);
  return outcome;
}

// A self-signed certificate and its key for "localhost" in `dir` (cert.pem, key.pem).
void write_self_signed(const std::filesystem::path& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key != nullptr);
  X509* cert = X509_new();
  REQUIRE(cert != nullptr);
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"),
                             -1, -1, 0);
  X509_set_issuer_name(cert, name);
  REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
  FILE* cert_file = std::fopen((dir / "cert.pem").c_str(), "w");
  FILE* key_file = std::fopen((dir / "key.pem").c_str(), "w");
  REQUIRE(cert_file != nullptr);
  REQUIRE(key_file != nullptr);
  CHECK(PEM_write_X509(cert_file, cert) == 1);
  CHECK(PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  std::fclose(cert_file);
  std::fclose(key_file);
  X509_free(cert);
  EVP_PKEY_free(key);
}

ClientOutcome run(const ServerSettings& settings, const char* password, bool tls,
                  std::string* server_failure) {
  Listener listener;
  std::thread server([&] { *server_failure = serve_one(listener.fd, settings); });
  ClientOutcome outcome = connect_and_query(listener.port, password, tls);
  server.join();
  return outcome;
}

void check_logged_in(const ClientOutcome& outcome, const std::string& server_failure) {
  INFO("client: " << outcome.message << ", server: " << server_failure);
  REQUIRE(outcome.error == 0);
  CHECK(server_failure.empty());
  CHECK(outcome.server_version == kServerVersion);
  CHECK(outcome.field_names == std::vector<std::string>{"@@version_comment", "nothing"});
  REQUIRE(outcome.rows.size() == 2);
  CHECK(outcome.rows[0][0] == std::optional<std::string>("mzl serve"));
  CHECK_FALSE(outcome.rows[0][1].has_value());
  CHECK(outcome.rows[1][0] == std::optional<std::string>("SELECT @@version_comment"));
  CHECK(outcome.rows[1][1] == std::optional<std::string>(""));
  CHECK(outcome.ping_ok);
}

TEST_CASE("Real client: libmariadb logs in with mysql_native_password and reads a text result set") {
  ServerSettings settings;
  std::string server_failure;
  check_logged_in(run(settings, "repl-secret", false, &server_failure), server_failure);
}

TEST_CASE("Real client: libmariadb answers an AuthSwitchRequest") {
  ServerSettings settings;
  settings.force_auth_switch = true;
  std::string server_failure;
  check_logged_in(run(settings, "repl-secret", false, &server_failure), server_failure);
}

TEST_CASE("Real client: a wrong password gets error 1045 with SQL state 28000") {
  ServerSettings settings;
  std::string server_failure;
  const ClientOutcome outcome = run(settings, "wrong", false, &server_failure);
  CHECK(server_failure.empty());
  CHECK(outcome.error == 1045);
  CHECK(outcome.sqlstate == "28000");
  CHECK_THAT(outcome.message, Catch::Contains("Access denied for user 'repl' (using password: YES)"));
}

TEST_CASE("Real client: libmariadb over TLS (SSLRequest, then the handshake response inside TLS)") {
  const auto dir = std::filesystem::temp_directory_path() / ("mzl-serve-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  write_self_signed(dir);
  auto context = TlsServerContext::from_pem_files(dir / "cert.pem", dir / "key.pem");
  REQUIRE(context.ok());
  ServerSettings settings;
  settings.tls = &*context;
  std::string server_failure;
  const ClientOutcome outcome = run(settings, "repl-secret", true, &server_failure);
  check_logged_in(outcome, server_failure);
  CHECK_FALSE(outcome.cipher.empty());

  // A key that is not the certificate's is refused when loading.
  std::filesystem::create_directories(dir / "other");
  write_self_signed(dir / "other");
  auto mismatched = TlsServerContext::from_pem_files(dir / "cert.pem", dir / "other" / "key.pem");
  REQUIRE_FALSE(mismatched.ok());
  CHECK(mismatched.error().code == ErrorCode::kInvalidArgument);
  auto missing = TlsServerContext::from_pem_files(dir / "absent.pem", dir / "key.pem");
  REQUIRE_FALSE(missing.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mzl::serve
