#include "mzl/serve/packet_channel.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace mzl::serve {

namespace {

Error peer_closed() {
  return Error(ErrorCode::kNetwork, "the peer closed the connection");
}

Error socket_failure(const char* what, int error) {
  if (error == EPIPE || error == ECONNRESET) {
    return Error(ErrorCode::kNetwork,
                 fmt::format("the peer closed the connection ({})", std::strerror(error)));
  }
  return Error(ErrorCode::kNetwork, fmt::format("{} failed: {}", what, std::strerror(error)));
}

// OpenSSL writes to the socket with write(2), which raises SIGPIPE when the peer has gone; the library must
// not kill the program for that. Blocks SIGPIPE on this thread for the guard's life and consumes one that
// the writes raised (the way libcurl and git do it), so the write reports EPIPE instead.
class SigpipeSuppressed {
 public:
  SigpipeSuppressed() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeSuppressed() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
        const timespec no_wait{};
        while (sigtimedwait(&pipe_, nullptr, &no_wait) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeSuppressed(const SigpipeSuppressed&) = delete;
  SigpipeSuppressed& operator=(const SigpipeSuppressed&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

void put_header(std::vector<uint8_t>& out, size_t length, uint8_t sequence) {
  const uint8_t header[kPacketHeaderSize] = {static_cast<uint8_t>(length), static_cast<uint8_t>(length >> 8),
                                             static_cast<uint8_t>(length >> 16), sequence};
  out.insert(out.end(), header, header + kPacketHeaderSize);
}

}  // namespace

PacketChannel::PacketChannel(int fd, PacketChannelOptions options) : fd_(fd), options_(options) {
  out_.reserve(options_.write_buffer_size);
}

PacketChannel::~PacketChannel() {
  // No SSL_shutdown: its close_notify could block or meet a closed peer; the peer sees the socket close.
  SSL_free(ssl_);
}

Status PacketChannel::wait_for(short events, std::chrono::milliseconds timeout, const char* direction) {
  pollfd entry{};
  entry.fd = fd_;
  entry.events = events;
  const int timeout_ms =
      timeout.count() > 0 ? static_cast<int>(std::min<int64_t>(timeout.count(), INT_MAX)) : -1;
  for (;;) {
    const int ready = ::poll(&entry, 1, timeout_ms);
    if (ready > 0) return ok_status();  // readable, writable, or an error/hang-up the next call reports
    if (ready == 0) {
      return Error(ErrorCode::kNetwork, fmt::format("timed out {} the peer ({} ms)", direction, timeout_ms));
    }
    if (errno != EINTR) return socket_failure("poll on the connection", errno);
  }
}

Result<size_t> PacketChannel::read_some(uint8_t* out, size_t n) {
  if (ssl_ != nullptr) {
    const int want = static_cast<int>(std::min<size_t>(n, INT_MAX));
    for (;;) {
      ERR_clear_error();
      errno = 0;
      const int got = SSL_read(ssl_, out, want);
      if (got > 0) return static_cast<size_t>(got);
      const int reason = SSL_get_error(ssl_, got);
      if (reason == SSL_ERROR_ZERO_RETURN) return size_t{0};
      if (reason == SSL_ERROR_WANT_READ) {
        MZL_CHECK(wait_for(POLLIN, options_.read_timeout, "waiting for data from"));
        continue;
      }
      if (reason == SSL_ERROR_WANT_WRITE) {
        MZL_CHECK(wait_for(POLLOUT, options_.write_timeout, "sending to"));
        continue;
      }
      if (reason == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        if (errno == 0) return size_t{0};  // the socket ended without a close_notify
        return socket_failure("reading from the TLS session", errno);
      }
      return Error(ErrorCode::kNetwork, "reading from the TLS session failed: " +
                                            openssl_failure("unexpected end of the connection"));
    }
  }
  for (;;) {
    const ssize_t got = ::recv(fd_, out, n, MSG_DONTWAIT);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return socket_failure("reading from the connection", errno);
    MZL_CHECK(wait_for(POLLIN, options_.read_timeout, "waiting for data from"));
  }
}

Result<size_t> PacketChannel::read_fully(uint8_t* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    MZL_TRY(const size_t more, read_some(out + got, n - got));
    if (more == 0) break;
    got += more;
  }
  return got;
}

Result<std::vector<uint8_t>> PacketChannel::read_packet() {
  MZL_CHECK(flush());
  std::vector<uint8_t> payload;
  for (bool first = true;; first = false) {
    uint8_t header[kPacketHeaderSize];
    MZL_TRY(const size_t header_got, read_fully(header, kPacketHeaderSize));
    if (header_got < kPacketHeaderSize) {
      if (first && header_got == 0) return peer_closed();
      return Error(ErrorCode::kNetwork,
                   fmt::format("the peer closed the connection inside a packet ({} bytes of its payload and "
                               "{} of a {}-byte header arrived)",
                               payload.size(), header_got, kPacketHeaderSize));
    }
    const size_t length = static_cast<size_t>(header[0]) | static_cast<size_t>(header[1]) << 8 |
                          static_cast<size_t>(header[2]) << 16;
    const uint8_t sequence = header[3];
    if (!first && sequence != sequence_) {
      return Error(ErrorCode::kCorrupt,
                   fmt::format("a piece {} bytes into a packet has sequence id {}, expected {}",
                               payload.size(), sequence, sequence_));
    }
    if (payload.size() + length >= options_.max_payload) {
      return Error(ErrorCode::kUnsupported,
                   fmt::format("a packet of {}{} bytes, at least the limit of {} bytes",
                               length == kMaxPacketPieceLength ? "at least " : "", payload.size() + length,
                               options_.max_payload));
    }
    const size_t start = payload.size();
    payload.resize(start + length);
    MZL_TRY(const size_t got, read_fully(payload.data() + start, length));
    if (got < length) {
      return Error(
          ErrorCode::kNetwork,
          fmt::format("the peer closed the connection inside a packet ({} of its {}{} bytes arrived)",
                      start + got, length == kMaxPacketPieceLength ? "at least " : "", start + length));
    }
    sequence_ = static_cast<uint8_t>(sequence + 1);
    if (length < kMaxPacketPieceLength) return payload;
  }
}

Status PacketChannel::write_packet(Bytes payload) {
  return write_pieces(nullptr, payload);
}

Status PacketChannel::write_packets(const std::vector<std::vector<uint8_t>>& payloads) {
  for (const auto& payload : payloads) MZL_CHECK(write_pieces(nullptr, payload));
  return ok_status();
}

Status PacketChannel::write_raw_prefixed(uint8_t first_byte, Bytes payload) {
  return write_pieces(&first_byte, payload);
}

Status PacketChannel::write_pieces(const uint8_t* first, Bytes payload) {
  const size_t prefix = first != nullptr ? 1 : 0;
  const size_t total = prefix + payload.size();
  size_t done = 0;  // bytes of the whole payload (prefix included) already framed
  for (;;) {
    const size_t piece = std::min(total - done, kMaxPacketPieceLength);
    put_header(out_, piece, sequence_++);
    size_t from = done;
    if (first != nullptr && from == 0 && piece > 0) {
      out_.push_back(*first);
      from = 1;
    }
    const Bytes part = payload.subspan(from - prefix, done + piece - from);
    if (out_.size() + part.size() <= options_.write_buffer_size) {
      out_.insert(out_.end(), part.begin(), part.end());
    } else {
      // Too large to gather: what is pending and this part leave together, the part from the caller's memory.
      MZL_CHECK(send_all(out_, part));
      out_.clear();
    }
    done += piece;
    if (piece < kMaxPacketPieceLength) break;
  }
  if (out_.size() >= options_.write_buffer_size) return flush();
  return ok_status();
}

Status PacketChannel::flush() {
  if (out_.empty()) return ok_status();
  MZL_CHECK(send_all(out_, {}));
  out_.clear();
  return ok_status();
}

Status PacketChannel::send_all(Bytes a, Bytes b) {
  if (ssl_ == nullptr) return send_plain(a, b);
  SigpipeSuppressed no_sigpipe;
  MZL_CHECK(send_tls(a));
  return send_tls(b);
}

Status PacketChannel::send_plain(Bytes a, Bytes b) {
  iovec parts[2] = {{const_cast<uint8_t*>(a.data()), a.size()}, {const_cast<uint8_t*>(b.data()), b.size()}};
  size_t index = 0;
  for (;;) {
    while (index < 2 && parts[index].iov_len == 0) ++index;
    if (index == 2) return ok_status();
    msghdr message{};
    message.msg_iov = parts + index;
    message.msg_iovlen = 2 - index;
    const ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return socket_failure("sending to the connection", errno);
      MZL_CHECK(wait_for(POLLOUT, options_.write_timeout, "sending to"));
      continue;
    }
    auto left = static_cast<size_t>(sent);
    for (; index < 2 && left > 0; ++index) {
      if (left < parts[index].iov_len) {
        parts[index].iov_base = static_cast<uint8_t*>(parts[index].iov_base) + left;
        parts[index].iov_len -= left;
        break;
      }
      left -= parts[index].iov_len;
      parts[index].iov_len = 0;
    }
  }
}

Status PacketChannel::send_tls(Bytes data) {
  while (!data.empty()) {
    // A retry after WANT_* must repeat the same buffer and length (OpenSSL's rule), which this does.
    const int want = static_cast<int>(std::min<size_t>(data.size(), INT_MAX));
    ERR_clear_error();
    errno = 0;
    const int sent = SSL_write(ssl_, data.data(), want);
    if (sent > 0) {
      data = data.subspan(static_cast<size_t>(sent));
      continue;
    }
    const int reason = SSL_get_error(ssl_, sent);
    if (reason == SSL_ERROR_WANT_WRITE) {
      MZL_CHECK(wait_for(POLLOUT, options_.write_timeout, "sending to"));
    } else if (reason == SSL_ERROR_WANT_READ) {
      MZL_CHECK(wait_for(POLLIN, options_.read_timeout, "waiting for data from"));
    } else if (reason == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno != 0) {
      return socket_failure("sending to the TLS session", errno);
    } else {
      return Error(ErrorCode::kNetwork,
                   "sending to the TLS session failed: " + openssl_failure("the peer closed the connection"));
    }
  }
  return ok_status();
}

Result<bool> PacketChannel::wait_readable(std::chrono::milliseconds timeout) {
  if (ssl_ != nullptr && SSL_has_pending(ssl_) == 1) return true;
  pollfd entry{};
  entry.fd = fd_;
  entry.events = POLLIN;
  const int ready = ::poll(&entry, 1, static_cast<int>(std::clamp<int64_t>(timeout.count(), 0, INT_MAX)));
  if (ready < 0) {
    if (errno == EINTR) return false;
    return socket_failure("poll on the connection", errno);
  }
  return ready > 0;
}

Status PacketChannel::accept_tls(const TlsServerContext& context) {
  if (ssl_ != nullptr) return Error(ErrorCode::kInternal, "accept_tls on a connection that already uses TLS");
  MZL_CHECK(flush());
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) < 0) {
    return socket_failure("making the connection non-blocking", errno);
  }
  ERR_clear_error();
  ssl_ = SSL_new(context.native());
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
    return Error(ErrorCode::kInternal, "OpenSSL could not start a TLS session: " + openssl_failure("?"));
  }
  SigpipeSuppressed no_sigpipe;
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int done = SSL_accept(ssl_);
    if (done == 1) return ok_status();
    const int reason = SSL_get_error(ssl_, done);
    if (reason == SSL_ERROR_WANT_READ) {
      MZL_CHECK(wait_for(POLLIN, options_.read_timeout, "waiting for the TLS handshake from"));
    } else if (reason == SSL_ERROR_WANT_WRITE) {
      MZL_CHECK(wait_for(POLLOUT, options_.write_timeout, "sending the TLS handshake to"));
    } else if (reason == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
      if (errno == 0)
        return Error(ErrorCode::kNetwork, "the peer closed the connection during the TLS handshake");
      return socket_failure("the TLS handshake", errno);
    } else {
      return Error(ErrorCode::kNetwork, "the TLS handshake failed: " + openssl_failure("unknown reason"));
    }
  }
}

}  // namespace mzl::serve
