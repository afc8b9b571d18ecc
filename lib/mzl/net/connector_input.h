#pragma once
// The input side of a libmariadb connection, taken over after the last command whose answer the connector
// reads (the binlog dump): first what the connector's read-ahead cache (struct st_ma_pvio, ma_pvio.h)
// still holds, then the socket itself, or the connection's OpenSSL session when it uses TLS. The socket
// stays in the connector's hands for writing (the semi-sync ACKs go through its command path, which neither
// reads nor touches these bytes).
//
// Waiting for input has to look at those buffers first: bytes the connector's cache or OpenSSL (decrypted
// or undecrypted records) already hold do not show on the socket, so poll() alone would miss them.
#include <mysql.h>

#include <chrono>

#include "mzl/net/packet_reader.h"
#include "mzl/util/result.h"

namespace mzl::net {

class ConnectorInput : public ByteSource {
 public:
  // `mysql` must stay open while this is used; nothing else may read from it any more. The read timeout
  // is the connection's (MYSQL_OPT_READ_TIMEOUT; none when 0).
  explicit ConnectorInput(MYSQL* mysql);

  // The cache first, then one recv() (or SSL_read(), and the records OpenSSL then has decrypted), after
  // waiting up to the read timeout for input. kNetwork: the connection is closed, the read or TLS failed,
  // or no byte arrived within the read timeout.
  Result<size_t> read_some(uint8_t* out, size_t capacity) override;
  // True when the connector's cache or OpenSSL hold bytes, or the socket is readable within `timeout`;
  // false on timeout or EINTR. kNetwork when the connection is closed or poll() fails.
  Result<bool> wait_readable(std::chrono::milliseconds timeout) override;

 private:
  Result<size_t> read_tls(uint8_t* out, size_t capacity);
  Result<size_t> read_socket(uint8_t* out, size_t capacity);
  // Waits for the socket up to the read timeout: kNetwork on timeout. Retries on EINTR.
  Status wait_for_socket();

  MYSQL* mysql_;
  int read_timeout_ms_;  // -1: none
};

}  // namespace mzl::net
