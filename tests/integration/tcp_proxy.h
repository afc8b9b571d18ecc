#pragma once
// A TCP proxy on loopback for the integration tests: a route between a program and a server that a test can
// cut (every connection closed at once), close (new connections refused) and stall (bytes held, connections
// kept open), to see what the programs on either side do. One poll loop in a thread of its own.
#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace mzl::test {

class TcpProxy {
 public:
  // Listens on 127.0.0.1:listen_port (REQUIREs it) and forwards each connection to 127.0.0.1:target_port.
  TcpProxy(unsigned listen_port, unsigned target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  unsigned port() const { return listen_port_; }
  // Closes every connection now; new ones are still accepted.
  void cut();
  // Stops listening (new connections are refused) and cuts every connection; listen() undoes it.
  void close();
  void listen();
  // While stalled, nothing is forwarded either way and nothing is closed: both ends wait.
  void stall(bool on) { stalled_ = on; }

 private:
  void run();
  void cut_locked();

  unsigned listen_port_, target_port_;
  std::mutex mutex_;
  int listen_fd_ = -1;
  std::vector<std::pair<int, int>> pairs_;
  std::atomic<bool> stalled_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mzl::test
