#include "mzl/net/connector_input.h"

#include <ma_pvio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include <fmt/format.h>

namespace mzl::net {

namespace {

// libmariadb 3's MARIADB_TLS (ma_tls.h, struct st_ma_pvio_tls): ma_pvio.h declares the pointer as void*
// unless HAVE_TLS is defined when it is included, so the layout is repeated here. The connector links
// OpenSSL (Debian's libmariadb3), so `ssl` is an SSL*.
struct ConnectorTls {
  void* data;
  MARIADB_PVIO* pvio;
  void* ssl;
};

SSL* tls_session(const MARIADB_PVIO* pvio) {
  if (pvio->ctls == nullptr) return nullptr;
  return static_cast<SSL*>(static_cast<const ConnectorTls*>(pvio->ctls)->ssl);
}

size_t cached_bytes(const MARIADB_PVIO* pvio) {
  if (pvio->cache == nullptr || pvio->cache_pos >= pvio->cache + pvio->cache_size) return 0;
  return static_cast<size_t>(pvio->cache + pvio->cache_size - pvio->cache_pos);
}

Error closed_connection() {
  return Error(ErrorCode::kNetwork, "the connection is closed");
}

// OpenSSL's reason for the last failure, or errno's when OpenSSL has none.
std::string tls_failure() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return errno != 0 ? std::strerror(errno) : "unexpected end of the connection";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

}  // namespace

ConnectorInput::ConnectorInput(MYSQL* mysql)
    : mysql_(mysql),
      read_timeout_ms_(
          mysql->options.read_timeout > 0
              ? static_cast<int>(std::min<unsigned>(mysql->options.read_timeout, INT_MAX / 1000)) * 1000
              : -1) {}

Result<size_t> ConnectorInput::read_some(uint8_t* out, size_t capacity) {
  MARIADB_PVIO* pvio = mysql_->net.pvio;
  if (pvio == nullptr) return closed_connection();
  if (const size_t cached = cached_bytes(pvio); cached > 0) {
    const size_t take = std::min(cached, capacity);
    std::memcpy(out, pvio->cache_pos, take);
    pvio->cache_pos += take;
    return take;
  }
  if (tls_session(pvio) != nullptr) return read_tls(out, capacity);
  return read_socket(out, capacity);
}

Result<size_t> ConnectorInput::read_socket(uint8_t* out, size_t capacity) {
  const int fd = static_cast<int>(mysql_get_socket(mysql_));
  for (;;) {
    // MSG_DONTWAIT: while the stream is busy the data is already there and no poll() is needed.
    const ssize_t got = ::recv(fd, out, capacity, MSG_DONTWAIT);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Error(ErrorCode::kNetwork,
                   fmt::format("reading from the socket failed: {}", std::strerror(errno)));
    }
    MZL_CHECK(wait_for_socket());
  }
}

Result<size_t> ConnectorInput::read_tls(uint8_t* out, size_t capacity) {
  SSL* ssl = tls_session(mysql_->net.pvio);
  const int want = static_cast<int>(std::min<size_t>(capacity, INT_MAX));
  for (;;) {
    // The socket is blocking (libmariadb's): wait with the read timeout unless OpenSSL already has bytes.
    if (SSL_has_pending(ssl) != 1) MZL_CHECK(wait_for_socket());
    ERR_clear_error();
    errno = 0;
    const int got = SSL_read(ssl, out, want);
    if (got > 0) {
      // SSL_read returns one record; take the others OpenSSL has already decrypted, without waiting.
      size_t total = static_cast<size_t>(got);
      while (total < capacity && SSL_pending(ssl) > 0) {
        const int more =
            SSL_read(ssl, out + total, static_cast<int>(std::min<size_t>(capacity - total, INT_MAX)));
        if (more <= 0) break;
        total += static_cast<size_t>(more);
      }
      return total;
    }
    const int reason = SSL_get_error(ssl, got);
    if (reason == SSL_ERROR_ZERO_RETURN) return size_t{0};
    if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) continue;
    if (reason == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0) return size_t{0};  // EOF
    return Error(ErrorCode::kNetwork, fmt::format("reading from the TLS session failed: {}", tls_failure()));
  }
}

Status ConnectorInput::wait_for_socket() {
  pollfd fd{};
  fd.fd = static_cast<int>(mysql_get_socket(mysql_));
  fd.events = POLLIN;
  for (;;) {
    const int ready = ::poll(&fd, 1, read_timeout_ms_);
    if (ready > 0) return ok_status();
    if (ready == 0) {
      return Error(ErrorCode::kNetwork,
                   fmt::format("no data from the server for {} s (read timeout)", read_timeout_ms_ / 1000));
    }
    if (errno != EINTR) {
      return Error(ErrorCode::kNetwork,
                   fmt::format("poll on the connection failed: {}", std::strerror(errno)));
    }
  }
}

Result<bool> ConnectorInput::wait_readable(std::chrono::milliseconds timeout) {
  const MARIADB_PVIO* pvio = mysql_->net.pvio;
  if (pvio == nullptr) return closed_connection();
  if (cached_bytes(pvio) > 0) return true;
  if (SSL* ssl = tls_session(pvio); ssl != nullptr && SSL_has_pending(ssl) == 1) return true;
  pollfd fd{};
  fd.fd = static_cast<int>(mysql_get_socket(mysql_));
  fd.events = POLLIN;
  const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return false;
    return Error(ErrorCode::kNetwork, fmt::format("poll on the connection failed: {}", std::strerror(errno)));
  }
  return ready > 0;
}

}  // namespace mzl::net
