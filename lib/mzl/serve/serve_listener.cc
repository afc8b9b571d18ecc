#include "mzl/serve/serve_listener.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "mzl/util/durable_file.h"

namespace mzl::serve {

Result<std::unique_ptr<ServeListener>> ServeListener::open(const HostPort& address, ServeConfig config,
                                                           ArchiveEndSource& end) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  const int resolved =
      ::getaddrinfo(address.host.empty() ? nullptr : address.host.c_str(), port.c_str(), &hints, &found);
  if (resolved != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string("--serve: cannot resolve the address: ") + ::gai_strerror(resolved))
        .at_r(address.to_string());
  }
  int fd = -1, err = 0;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
      err = errno;
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return io_error("listening for replicas (--serve)", address.to_string(), err);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  const unsigned bound_port = bound.ss_family == AF_INET6
                                  ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                  : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::unique_ptr<ServeListener>(new ServeListener(fd, bound_port, std::move(config), end));
}

ServeListener::~ServeListener() {
  stop();
  ::close(fd_);
}

void ServeListener::start() {
  acceptor_ = std::thread([this] { accept_loop(); });
}

void ServeListener::accept_loop() {
  while (!stop_.load()) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int on = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    const uint32_t id = static_cast<uint32_t>(++connections_);
    std::lock_guard lock(mutex_);
    // Threads of replicas that have gone are joined here, so that a long-running serve does not collect them.
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
    session_fds_.push_back(client);
    auto done = std::make_shared<std::atomic<bool>>(false);
    sessions_.push_back(
        SessionThread{std::thread([this, client, id, done] {
                        Status served = serve_connection(client, id, config_, end_, stop_);
                        if (!served.ok() && served.error().code != ErrorCode::kNetwork) {
                          std::fprintf(stderr, "mzl-binlog-tail: --serve: replica connection %u: %s\n", id,
                                       served.error().to_string().c_str());
                        }
                        {
                          std::lock_guard inner(mutex_);
                          session_fds_.erase(std::remove(session_fds_.begin(), session_fds_.end(), client),
                                             session_fds_.end());
                        }
                        ::close(client);
                        done->store(true);
                      }),
                      done});
  }
}

void ServeListener::stop() {
  if (stop_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<SessionThread> sessions;
  {
    std::lock_guard lock(mutex_);
    for (int fd : session_fds_) ::shutdown(fd, SHUT_RDWR);  // a session blocked on its replica returns
    sessions.swap(sessions_);
  }
  for (SessionThread& session : sessions) session.thread.join();
}

}  // namespace mzl::serve
