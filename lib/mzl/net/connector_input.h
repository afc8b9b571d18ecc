#pragma once
// Waiting for input on a libmariadb connection without reading it: the bytes the connector (its read-ahead
// cache) or OpenSSL (decrypted or undecrypted records) already hold do not show on the socket, so poll()
// alone would miss them. Lets one thread interleave reads with other work (semi-sync ACKs) without a
// blocking read in the way.
#include <mysql.h>

#include <chrono>

#include "mzl/util/result.h"

namespace mzl::net {

// True when the connection has input: buffered in the connector or in TLS, or readable on the socket
// within `timeout` (0: do not wait). False on timeout or when poll() was interrupted by a signal (EINTR).
// kNetwork when the connection is closed or poll() fails.
Result<bool> wait_for_input(MYSQL* mysql, std::chrono::milliseconds timeout);

}  // namespace mzl::net
