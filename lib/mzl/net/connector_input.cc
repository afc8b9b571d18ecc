#include "mzl/net/connector_input.h"

#include <ma_pvio.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <cerrno>
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

bool has_buffered_input(const MARIADB_PVIO* pvio) {
  if (pvio->cache != nullptr && pvio->cache_pos < pvio->cache + pvio->cache_size) return true;
  if (pvio->ctls != nullptr) {
    const auto* tls = static_cast<const ConnectorTls*>(pvio->ctls);
    if (tls->ssl != nullptr && SSL_has_pending(static_cast<const SSL*>(tls->ssl)) == 1) return true;
  }
  return false;
}

}  // namespace

Result<bool> wait_for_input(MYSQL* mysql, std::chrono::milliseconds timeout) {
  const MARIADB_PVIO* pvio = mysql->net.pvio;
  if (pvio == nullptr) return Error(ErrorCode::kNetwork, "the connection is closed");
  if (has_buffered_input(pvio)) return true;
  pollfd fd{};
  fd.fd = mysql_get_socket(mysql);
  fd.events = POLLIN;
  const int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return false;
    return Error(ErrorCode::kNetwork, fmt::format("poll on the connection failed: {}", std::strerror(errno)));
  }
  return ready > 0;
}

}  // namespace mzl::net
