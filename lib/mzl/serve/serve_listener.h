#pragma once
// `mzl-binlog-tail --serve HOST:PORT`: accepts replicas on a TCP port and serves each on a thread of its own
// (serve_session.h) until stopped. Many replicas read the archive's files at once, each with its own reader
// and buffers: no copy of the archive per replica in memory.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mzl/serve/archive_end.h"
#include "mzl/serve/serve_session.h"
#include "mzl/util/host_port.h"
#include "mzl/util/result.h"

namespace mzl::serve {

class ServeListener {
 public:
  // Binds and listens (port 0: any free port, see port()). kIo naming the address when it cannot.
  static Result<std::unique_ptr<ServeListener>> open(const HostPort& address, ServeConfig config,
                                                     ArchiveEndSource& end);
  ~ServeListener();  // stop(), then joins every session
  ServeListener(const ServeListener&) = delete;
  ServeListener& operator=(const ServeListener&) = delete;

  unsigned port() const { return port_; }
  // Starts the accepting thread.
  void start();
  // Ends accepting and every session (their sockets are shut down), and joins the threads.
  void stop();
  uint64_t connections() const { return connections_.load(); }

 private:
  ServeListener(int fd, unsigned port, ServeConfig config, ArchiveEndSource& end)
      : fd_(fd), port_(port), config_(std::move(config)), end_(end) {}
  void accept_loop();

  int fd_;
  unsigned port_;
  ServeConfig config_;
  ArchiveEndSource& end_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> connections_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  struct SessionThread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<SessionThread> sessions_;  // finished ones are joined at the next accept
  std::vector<int> session_fds_;
};

}  // namespace mzl::serve
