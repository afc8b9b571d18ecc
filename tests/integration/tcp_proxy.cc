#include "tcp_proxy.h"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace mzl::test {

namespace {

sockaddr_in loopback(unsigned port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

}  // namespace

TcpProxy::TcpProxy(unsigned listen_port, unsigned target_port)
    : listen_port_(listen_port), target_port_(target_port) {
  listen();
  thread_ = std::thread([this] { run(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  thread_.join();
  close();
}

void TcpProxy::cut() {
  std::lock_guard lock(mutex_);
  cut_locked();
}

void TcpProxy::cut_locked() {
  for (auto& [a, b] : pairs_) {
    ::shutdown(a, SHUT_RDWR);
    ::shutdown(b, SHUT_RDWR);
    ::close(a);
    ::close(b);
  }
  pairs_.clear();
}

void TcpProxy::close() {
  std::lock_guard lock(mutex_);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  cut_locked();
}

void TcpProxy::listen() {
  std::lock_guard lock(mutex_);
  if (listen_fd_ >= 0) return;
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(listen_fd_ >= 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = loopback(listen_port_);
  REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(listen_fd_, 64) == 0);
}

// One poll loop over the listening socket and every pair of connections. While stalled, only new
// connections are accepted (and held): their bytes wait like the others'.
void TcpProxy::run() {
  using namespace std::chrono_literals;
  char buffer[65536];
  while (!stop_) {
    std::vector<pollfd> fds;
    {
      std::lock_guard lock(mutex_);
      if (listen_fd_ >= 0) fds.push_back({listen_fd_, POLLIN, 0});
      if (!stalled_) {
        for (auto& [a, b] : pairs_) {
          fds.push_back({a, POLLIN, 0});
          fds.push_back({b, POLLIN, 0});
        }
      }
    }
    if (fds.empty()) {
      std::this_thread::sleep_for(20ms);
      continue;
    }
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    std::lock_guard lock(mutex_);
    for (const pollfd& p : fds) {
      if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (p.fd == listen_fd_) {
        const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a = loopback(target_port_);
        if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
          ::close(server);
          ::shutdown(client, SHUT_RDWR);
          ::close(client);
          continue;
        }
        pairs_.emplace_back(client, server);
        continue;
      }
      if (stalled_) break;
      for (size_t i = 0; i < pairs_.size(); ++i) {
        auto [a, b] = pairs_[i];
        if (p.fd != a && p.fd != b) continue;
        const int other = p.fd == a ? b : a;
        const ssize_t n = ::read(p.fd, buffer, sizeof buffer);
        if (n <= 0 || ::write(other, buffer, static_cast<size_t>(n)) != n) {
          // shutdown, not only close: a process started meanwhile (a server by scripts/sandbox) may hold a
          // copy of the socket, and close alone would then leave the other side waiting forever.
          ::shutdown(a, SHUT_RDWR);
          ::shutdown(b, SHUT_RDWR);
          ::close(a);
          ::close(b);
          pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(i));
        }
        break;
      }
    }
  }
}

}  // namespace mzl::test
