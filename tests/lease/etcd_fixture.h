#pragma once
// A throwaway etcd for tests: one member on free loopback ports, its data in a temporary folder, killed and
// removed by the destructor. Used by tests/lease/ and, with etcd_fixture.cc added to their sources, by the
// integration tests of mzl-promote --lease.
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "mzl/util/host_port.h"

namespace mzl::test {

// A loopback TCP port nobody listens on at the time of the call (the kernel's pick for port 0).
unsigned free_loopback_port();

class EtcdServer {
 public:
  // Starts etcd ($MZL_ETCD, else `etcd` on PATH) and waits until it grants leases. When etcd is not
  // installed, calls skip_or_fail (test_support.h) and running() is false: the test should return. A server
  // that does not come up within `startup_timeout` fails the test, with the end of its log.
  explicit EtcdServer(std::chrono::milliseconds startup_timeout = std::chrono::seconds(20));
  ~EtcdServer();  // SIGKILLs etcd and removes its folder
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  bool running() const { return pid_ > 0; }
  // The client address (127.0.0.1:<port>).
  const HostPort& address() const { return address_; }
  // etcd://127.0.0.1:<port>/<key>, as mzl-promote --lease takes it.
  std::string lease_url(std::string_view key) const;
  const std::filesystem::path& dir() const { return dir_; }
  std::string log() const;

 private:
  // Stops what was started and fails the test (FAIL throws out of the constructor: no destructor runs).
  void fail_startup(const std::string& why);
  void stop();

  int pid_ = -1;
  HostPort address_;
  std::filesystem::path dir_;
};

}  // namespace mzl::test
